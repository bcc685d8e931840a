/* eslint-disable */
/**
 * Hand-written stand-in for `npx convex codegen` output. The mirror's tables are built from table
 * definitions at run time, so the data model is the loose generic one.
 */
import type { DocumentByName, GenericDataModel, TableNamesInDataModel } from "convex/server";
import type { GenericId } from "convex/values";

export type DataModel = GenericDataModel;
export type TableNames = TableNamesInDataModel<DataModel>;
export type Doc<TableName extends TableNames> = DocumentByName<DataModel, TableName>;
export type Id<TableName extends TableNames | string> = GenericId<TableName>;

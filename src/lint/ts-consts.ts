// Resolves an identifier to the initializer of the `const` that declares it, when that is certain
// from the file alone: the name is declared exactly once in the file and that declaration is a const
// with an initializer. Anything else (let, parameters, imports, shadowing) stays unresolved, and the
// SQL it feeds is reported as dynamic rather than guessed.
import ts from "typescript";

export class ConstResolver {
  private map: Map<string, ts.Expression | null> | undefined;

  constructor(private readonly sf: ts.SourceFile) {}

  resolve(id: ts.Identifier): ts.Expression | undefined {
    this.map ??= this.build();
    return this.map.get(id.text) ?? undefined;
  }

  private build(): Map<string, ts.Expression | null> {
    const map = new Map<string, ts.Expression | null>();
    const declare = (name: string, init: ts.Expression | null) => map.set(name, map.has(name) ? null : init);
    const bindings = (n: ts.BindingName) => {
      if (ts.isIdentifier(n)) return declare(n.text, null);
      for (const el of n.elements) if (!ts.isOmittedExpression(el)) bindings(el.name);
    };
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node)) {
        const isConst = (node.parent.flags & ts.NodeFlags.Const) !== 0;
        if (ts.isIdentifier(node.name)) declare(node.name.text, isConst && node.initializer ? node.initializer : null);
        else bindings(node.name);
      } else if (ts.isParameter(node)) {
        bindings(node.name);
      } else if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isEnumDeclaration(node)) && node.name) {
        declare(node.name.text, null);
      } else if (ts.isImportClause(node) && node.name) {
        declare(node.name.text, null);
      } else if (ts.isImportSpecifier(node) || ts.isNamespaceImport(node) || ts.isImportEqualsDeclaration(node)) {
        declare(node.name.text, null);
      }
      ts.forEachChild(node, visit);
    };
    visit(this.sf);
    return map;
  }
}

export { createDecoder, type Decoder, type DecoderOptions } from "./decoder";
export { decodeText, decodeWal2jsonValue, isWrappedText, WRAPPED_TEXT_FIELD, type WrappedText } from "./values";
export { createSpecialValues, type SpecialValues, type SpecialValuesOptions, type ValuesWindow } from "./special-values";

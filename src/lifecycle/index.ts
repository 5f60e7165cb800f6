export {
  DOC_STATUSES, DISPLAY_STATUSES, MAX_PEOPLE, MAX_MEASURES, DOC_STATE_MAX_BYTES,
  type DocStatus, type DisplayStatus, type DocState, type DocLatest, type DocLast, type ScopePerson,
} from './types.js';
export { STATUS_RULES, type LifecycleCode } from './rules.js';
export { startDocument, applyEntry } from './state.js';
export { displayStatus, expiry, LONG_TERM } from './display.js';
export { encodeDocState, decodeDocState, DOC_STATE_VERSION, type DecodedDocState } from './codec.js';
export { beijingDate, beijingDateTime, isCalendarDate } from './time.js';
export { inventoryRow, type InventoryRow } from './inventory-row.js';
export { inventoryCsv, csvCell, CSV_BOM, CSV_COLUMNS, type CsvLang, type CsvOptions } from './csv.js';

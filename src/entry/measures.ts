/**
 * Concealment measures (隐密措施): the closed list a `conceal` event names, each mapped to the item of art. 6
 * of the SPC's 2020 provisions on trade-secret civil cases (最高人民法院关于审理侵犯商业秘密民事案件适用法律
 * 若干问题的规定, 法释〔2020〕7号) that it evidences. Art. 6 lists the situations in which a court finds the
 * right holder took confidentiality measures:
 *   (1) a confidentiality agreement, or a duty of confidentiality in a contract;
 *   (2) confidentiality required of employees, former employees, suppliers, customers or visitors through the
 *       articles of association, training, rules or written notice;
 *   (3) visitors restricted at, or separate management of, the premises (plants, workshops) concerned;
 *   (4) the secret and its carriers distinguished and managed by marking, classification, isolation,
 *       encryption, sealing, or limiting who may access or obtain them;
 *   (5) computers, devices, networks, storage and software able to reach it banned or limited in use,
 *       access, storage or copying;
 *   (6) departing employees required to register, return, erase or destroy what they accessed or obtained,
 *       and to keep the duty of confidentiality (recorded as a `departure-audit` event, not a measure);
 *   (7) other reasonable confidentiality measures.
 */

export const CONCEAL_MEASURE_CODES = [
  'marking', 'classification', 'isolation', 'encryption', 'sealing', 'access-limit', 'device-limit', 'agreement', 'training', 'other',
] as const;

export type ConcealMeasure = (typeof CONCEAL_MEASURE_CODES)[number];

export interface ConcealMeasureInfo {
  readonly code: ConcealMeasure;
  /** The Chinese term, as certificates and the 清单 print it. */
  readonly term: string;
  /** The item of SPC 2020 art. 6 it evidences (1-7). */
  readonly spcItem: number;
  /** That item's words, shortened. */
  readonly spcText: string;
}

const ITEM_4 = '以标记、分类、隔离、加密、封存、限制能够接触或者获取的人员范围等方式，对商业秘密及其载体进行区分和管理';

/** The table, in the order of CONCEAL_MEASURE_CODES. */
export const CONCEAL_MEASURES: readonly ConcealMeasureInfo[] = Object.freeze([
  { code: 'marking', term: '标记', spcItem: 4, spcText: ITEM_4 },
  { code: 'classification', term: '分类', spcItem: 4, spcText: ITEM_4 },
  { code: 'isolation', term: '隔离', spcItem: 4, spcText: ITEM_4 },
  { code: 'encryption', term: '加密', spcItem: 4, spcText: ITEM_4 },
  { code: 'sealing', term: '封存', spcItem: 4, spcText: ITEM_4 },
  { code: 'access-limit', term: '限制知悉范围', spcItem: 4, spcText: ITEM_4 },
  { code: 'device-limit', term: '限制涉密设备使用', spcItem: 5, spcText: '对能够接触、获取商业秘密的计算机设备、电子设备、网络设备、存储设备、软件等，采取禁止或者限制使用、访问、存储、复制等措施' },
  { code: 'agreement', term: '保密协议', spcItem: 1, spcText: '签订保密协议或者在合同中约定保密义务' },
  { code: 'training', term: '保密培训', spcItem: 2, spcText: '通过章程、培训、规章制度、书面告知等方式，对能够接触、获取商业秘密的人员提出保密要求' },
  { code: 'other', term: '其他合理保密措施', spcItem: 7, spcText: '采取其他合理保密措施' },
].map((m) => Object.freeze(m as ConcealMeasureInfo)));

const BY_CODE: ReadonlyMap<string, ConcealMeasureInfo> = new Map(CONCEAL_MEASURES.map((m) => [m.code, m]));

export function isConcealMeasure(value: unknown): value is ConcealMeasure {
  return typeof value === 'string' && BY_CODE.has(value);
}

/** The table row of a measure code. */
export function concealMeasureInfo(code: ConcealMeasure): ConcealMeasureInfo {
  return BY_CODE.get(code)!;
}

/**
 * An API error as the console shows it: its stable code, always, and what it means in the chosen language.
 * In English the service's own message is shown (it is English and names the field); in Chinese the code's
 * meaning from the table below, with the service's message beside it for the detail. A code not in the
 * table is shown with the service's message alone.
 */
import { h } from './dom.js';
import { ApiError } from './api.js';
import { CunzhengError } from '../../src/errors.js';
import { lang, t } from './i18n.js';

const ZH: Record<string, string> = {
  CONSOLE_UNREACHABLE: '无法连接服务，请检查网络后重试',
  UNAUTHORIZED: 'API 密钥无效、已被撤销或已更换',
  AUTH_RATE_LIMITED: '认证失败次数过多，请稍后再试',
  ROLE_FORBIDDEN: '当前角色无权进行此操作（由服务判定）',
  TENANT_REVOKED: '本企业的账户已被运营方停用',
  NOT_FOUND: '未找到：编号不存在，或不属于本企业（存证人员只能查看自己的存证）',
  BAD_REQUEST: '请求有误',
  BAD_HEX_FIELD: '摘要或编号的格式不正确（应为十六进制）',
  BAD_URL: '地址格式不正确',
  MALFORMED_JSON: '请求内容不是有效的 JSON',
  BODY_TOO_LARGE: '请求过大',
  DEPOSIT_BAD_BATCH: '批量存证的内容有误',
  DEPOSIT_PREV_NOT_FOUND: '所指的上一版本不存在',
  ENTRY_BAD_FIELD: '元数据字段不符合要求',
  ENTRY_BAD_UTF8: '文字编码不正确',
  ENTRY_TOO_LARGE: '条目过大',
  EVENT_BAD_KIND: '不是可记录的保护措施类型',
  EVENT_MISSING_FIELD: '缺少该措施必填的字段',
  EVENT_UNKNOWN_FIELD: '该措施不接受此字段',
  EVENT_BAD_FIELD: '字段的格式或长度不正确',
  EVENT_BAD_PERIOD: '保密期限应为 YYYY-MM-DD 格式的日期或“长期”',
  EVENT_BAD_MEASURE: '隐密措施未选择、不在列表中或重复',
  EVENT_PERSONAL_DATA: '不得填写姓名、身份证号或手机号：请填写工号或用户编号（账本永久留存）',
  EVENT_UNKNOWN_LEVEL: '该密级不是本企业设定的密级',
  EVENT_UNKNOWN_DEPOSIT: '所列存证编号不是本企业的存证',
  LIFECYCLE_ALREADY_CLASSIFIED: '该文件已定密（如需修改请使用“密级变更”）',
  LIFECYCLE_NOT_CLASSIFIED: '该文件尚未定密',
  LIFECYCLE_DESTROYED: '该文件已销毁，不能再记录此措施',
  LIFECYCLE_NOT_GRANTED: '此人不在知悉范围内',
  LIFECYCLE_ALREADY_GRANTED: '此人已在知悉范围内',
  LIFECYCLE_SCOPE_FULL: '知悉范围人数已达上限',
  LIFECYCLE_NOT_IN_DOCUMENT: '所指存证不属于该文件',
  LIFECYCLE_NO_EVENT: '没有可记录的事件',
  INVENTORY_BAD_FILTER: '筛选条件有误',
  INVENTORY_BAD_CURSOR: '分页位置无效，请重新筛选',
  LISTING_BAD_QUERY: '查询条件有误（时间格式或起止顺序）',
  EVIDENCE_BAD_BODY: '证据包请求有误（所选编号或标题不符合要求）',
  EVIDENCE_TOO_MANY_EXHIBITS: '所选文件的版本和事件超过 10,000 件，请分几次生成证据包',
  EVIDENCE_BUSY: '本企业已有证据包正在生成，请完成后再试',
  EVIDENCE_SERVER_BUSY: '服务正在生成其他证据包，请稍后重试',
  EVIDENCE_INCOMPLETE: '证据包在传输中途中断（服务生成时出错），未保存任何文件，请重试',
  USER_BAD_ROLE: '角色应为保密员、存证人员或查阅人员',
  USER_BAD_REF: '工号格式不正确（不得为姓名、身份证号或手机号）',
  USER_NOT_FOUND: '用户不存在',
  USER_LAST_OFFICER: '不能撤销最后一位有效的保密员',
  USER_REVOKED: '该用户已被撤销，不能更换密钥',
  RATE_LIMITED: '请求过于频繁，请稍后再试',
  TENANT_BUSY: '本企业当前处理中的请求过多，请稍后重试',
  SERVICE_BUSY: '服务繁忙，请稍后重试',
  SERVICE_CLOSING: '服务正在关闭，请稍后重试',
  LEDGER_BUSY: '账本繁忙，请稍后重试',
  LEDGER_WRITE_FAILED: '账本写入磁盘失败，本次未确认，请稍后重试',
  LEDGER_FENCED: '账本暂停写入，请稍后重试',
  STORE_FULL: '服务磁盘空间不足，请稍后重试',
  STORE_CORRUPT: '服务存储校验失败，请联系运营方',
  INTERNAL: '服务内部错误，请联系运营方',
  // The page's own, for a file it could not read (the CLI's codes for the same).
  FILE_NOT_FOUND: '文件已不存在（选择之后被删除或移动）',
  FILE_UNREADABLE: '无法读取文件：没有读取权限，或选择之后文件已被修改，请重新选择',
  FILE_READ_FAILED: '读取文件失败',
};

/** The error's element: `data-code` carries the code for scripts; the text says it in the chosen language. */
export function errorView(e: unknown): HTMLElement {
  const err = e instanceof ApiError ? e : e instanceof CunzhengError ? new ApiError(0, e.code, e.message) : new ApiError(0, 'CONSOLE_ERROR', e instanceof Error ? e.message : String(e));
  const meaning = lang() === 'zh' ? ZH[err.code] : undefined;
  return h('div', { class: 'error', role: 'alert', 'data-code': err.code, 'data-status': err.status },
    h('code', {}, err.code),
    ' ',
    meaning ?? err.message,
    meaning === undefined ? null : h('div', { class: 'detail' }, t('errorFrom'), err.message));
}

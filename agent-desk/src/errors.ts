/**
 * What users read when the server refuses: a Chinese text per declared error code (see
 * core/errors.ts; each module declares its codes in `<module>/errors.ts`), with the same
 * `{param}` placeholders as the English message, filled from the response's `params`.
 * errors.test.ts fails for a declared code without a text here, for a text whose code is
 * gone, and for a placeholder the code does not declare.
 *
 * A code missing here still reads well enough: api.ts falls back to a Chinese lead by HTTP
 * status followed by the server's English message.
 */
import { ROLE_NAMES_ZH } from '../../core/browser.js';
import { AGENT_STATE_ZH } from './format.js';

/** States the messages name (calls, callbacks, agents), in the desk's words; others show as sent. */
const STATE_ZH: Record<string, string> = {
  ...AGENT_STATE_ZH,
  queued: '排队中',
  offered: '振铃中',
  ringing: '振铃中',
  answered: '通话中',
  held: '保持中',
  ended: '已结束',
  scheduled: '待回访',
  claimed: '已领取',
  done: '已完成',
  unreachable: '联系不上',
  cancelled: '已取消',
  failed: '失败',
};

/** A parameter in the desk's words, where the server sends a code for it. */
const PARAM_ZH: Record<string, (v: unknown) => string> = {
  role: (v) => ROLE_NAMES_ZH[v as keyof typeof ROLE_NAMES_ZH] ?? String(v),
  state: (v) => STATE_ZH[String(v)] ?? String(v),
  // "agent (话务员), dispatcher (派单员)": the Chinese names only.
  allowed: (v) => {
    const names = [...String(v).matchAll(/\(([^)]+)\)/g)].map((m) => m[1]);
    return names.length ? names.join('、') : String(v);
  },
};

export const ERRORS_ZH: Record<string, string> = {
  // ---- core ----
  VALIDATION: '输入有误：{reason}。',
  MALFORMED_JSON: '请求内容格式有误（不是有效的 JSON）：{reason}。',
  BODY_TOO_LARGE: '内容过大：超过 {limit} 字节的上限。',
  INVALID_VALUE: '有数值无法保存：请检查数字、日期（0001-9999 年）和文字内容。',
  DATABASE_UNAVAILABLE: '数据库暂时无法连接，本次未做任何修改，请稍后几秒再试。',
  INTERNAL: '服务器内部错误，已记录日志；请重试，如仍出现请报告系统管理员。',
  ROUTE_NOT_FOUND: '服务器没有此接口（{method} {path}），相应模块可能未安装。',
  RATE_LIMITED: '操作过于频繁，请 {seconds} 秒后再试。',
  UNAUTHORIZED: '尚未登录或登录已过期，请重新登录。',
  ROLE_REFUSED: '您的角色（{role}）无权进行此操作，仅限：{allowed}。',
  INVALID_TIME: '{field} 的值“{value}”不是有效的时间，请使用如 2026-11-23 或 2026-11-23T09:00:00+08:00 的格式。',

  // ---- auth ----
  CANNOT_DISABLE_SELF: '不能停用自己的账号，请由其他管理员操作。',
  CROSS_ORIGIN: '跨站请求被拒绝：请从本系统自己的地址（{self}）打开工作台。',
  HANDLER_NEEDS_UNIT: '承办单位账号必须属于某个部门或单位，请选择所属单位。',
  LAST_ADMIN: '这是最后一个启用的管理员账号：请先启用或新建另一个管理员。',
  LOGIN_LOCKED: '用户名或密码错误。失败次数过多，请 {minutes} 分钟后再试。',
  LOGIN_REFUSED: '用户名或密码错误，请重新输入。',
  PASSWORD_CHANGE_PENDING: '请先修改密码。',
  PASSWORD_CHANGE_REQUIRED: '请先修改密码，如有提示请重新登录。',
  PASSWORD_TOO_SHORT: '密码太短：至少需要 {min} 个字符。',
  ROLE_UNKNOWN: '角色“{role}”不存在，可选：{roles}。',
  TWO_FACTOR_CODE_MISMATCH: '动态码不匹配：请检查手机时间是否准确，并输入当前的动态码。',
  TWO_FACTOR_CODE_REFUSED: '动态码错误或已使用，请输入验证器上当前的动态码。',
  TWO_FACTOR_ENROLMENT_PENDING: '请先完成手机身份验证器的绑定。',
  TWO_FACTOR_ENROLMENT_REQUIRED: '请先绑定手机身份验证器，再完成确认。',
  TWO_FACTOR_INVALID: '动态码错误或已使用，请输入验证器上当前的动态码。',
  TWO_FACTOR_MANDATORY: '本系统要求您的角色使用双因素登录，不能关闭。',
  TWO_FACTOR_NO_ENROLMENT: '没有待确认的绑定，请先开始绑定手机身份验证器。',
  TWO_FACTOR_NOT_ENROLLED: '尚未绑定手机身份验证器，请先绑定。',
  TWO_FACTOR_REQUIRED: '请输入手机身份验证器上的6位动态码（或一个恢复码）。',
  USER_EXISTS: '用户“{username}”已存在。',
  USER_NOT_FOUND: '用户 {id} 不存在。',
  USER_UNIT_NOT_FOUND: '组织单位“{code}”不存在。',
  USERNAME_INVALID: '用户名“{username}”无效：请使用 2-64 位字母、数字、“.”、“_”或“-”。',
  USERNAME_NOT_FOUND: '用户“{username}”不存在。',
  WEAK_PASSWORD: '密码不符合要求：{reason}',
  WRONG_PASSWORD: '当前密码错误，请重新输入。',

  // ---- org ----
  CATEGORY_CODE_TAKEN: '编码为 {code} 的事项类别已存在：请换一个编码，或编辑已有的类别。',
  CATEGORY_NOT_FOUND: '事项类别 {id} 不存在。',
  PARENT_CATEGORY_NOT_FOUND: '上级类别 {id} 不存在。',

  // ---- dispatch: work orders and their actions ----
  ACTION_FIELD_REQUIRED: '此操作需要填写“{field}”：{what}。',
  ACTION_LIMITED_FOR_ROLE: '{roleZh}只能在{limit}时进行“{actionZh}”：{why}，仅限：{allowed}。',
  ACTION_NOT_ALLOWED: '您的角色（{roleZh}）不能进行“{actionZh}”，仅限：{allowed}。',
  ACTION_NOT_POSSIBLE_IN_STATE: '工单 {number} 当前为“{stateZh}”，只有在“{fromZh}”时才能“{actionZh}”。请刷新工单查看最新情况。',
  ACTION_UNKNOWN: '未知的操作“{action}”，可用：{actions}。',
  CLOSE_NEEDS_OUTCOME: '工单需回访后才能结案：请填写回访结果，无法回访时（如匿名且不愿联系）请填写结案理由。',
  CLOSE_NEEDS_REASON: '未经办理的工单结案需要填写理由（如重复工单、不属于12345受理范围）。',
  CLOSE_UNSATISFIED_NEEDS_REASON: '市民不满意：请重办，或填写理由后结案。',
  DISPATCH_DEADLINE_IN_PAST: '办理期限已过：请填写将来的时间，或留空按事项清单确定。',
  DISPATCH_NO_DEPARTMENT: '事项清单没有为此类别指定承办单位，请选择承办单位后再派单。',
  EXTENSION_ALREADY_PENDING: '工单 {number} 已有待审批的延期申请，请等待派单员处理。',
  EXTENSION_DEADLINE_TOO_EARLY: '新的期限必须晚于当前期限（{current}）和现在。',
  EXTENSION_NOT_PENDING: '工单 {number} 没有待审批的延期申请，请刷新工单。',
  FORWARD_NOT_BELOW: '{unit}不是您的下级单位：工单只能向下级转派。',
  MERGE_INTO_SELF: '工单不能合并到自身，请选择另一件工单。',
  MERGE_TARGET_CLOSED: '工单 {number} 已{stateZh}：只能合并到未办结的工单。',
  MERGE_TARGET_NOT_FOUND: '工单 {id} 不存在：请选择一件未办结的工单进行合并。',
  REOPEN_DEADLINE_IN_PAST: '办理期限已过，请填写将来的时间。',
  REOPEN_NEVER_DISPATCHED: '工单 {number} 从未派给承办单位，请直接派单。',
  VERSION_CONFLICT: '工单 {number} 在您打开后已被他人修改（现为“{stateZh}”）：请刷新后重新处理。',
  WORK_ORDER_BUSY: '工单 {id} 正被他人同时修改，请刷新后重新处理。',
  WORK_ORDER_CALL_NOT_FOUND: '通话 {callId} 不存在：请关联已记录的通话，或不关联通话。',
  WORK_ORDER_CHANGED_CONCURRENTLY: '工单 {number} 正被他人同时修改，请刷新后重新处理。',
  WORK_ORDER_DESCRIPTION_EMPTY: '诉求内容为空，请填写来电人反映的问题。',
  WORK_ORDER_NOT_FOUND: '工单 {id} 不存在。',
  WORK_ORDER_NOT_VISIBLE: '工单 {number} 未派给您的单位：承办单位只能查看本单位的工单。',
  WORK_ORDER_OTHER_UNIT: '工单 {number} 已派给{department}：承办单位只能办理本单位及下级单位的工单。',
  WORK_ORDER_PHONE_INVALID: '来电人电话“{phone}”格式不正确：请使用数字、空格、“-”或开头的“+”。',
  WORK_ORDER_PLACE_INVALID: '地点 {placeUnitId} 不是街道、社区或网格。',
  WORK_ORDER_STATE_UNKNOWN: '未知的工单状态 {states}，可用：{allowed}。',

  // ---- dispatch: calendar, knowledge, routing ----
  CALENDAR_DAY_DUPLICATE: '{day} 重复列出，每天只能填写一次。',
  CALENDAR_DAY_INVALID: '“{day}”不是日期，请按 YYYY-MM-DD 填写。',
  CALENDAR_DAY_OUTSIDE_YEAR: '{day} 不在 {year} 年内，请在对应年份中设置。',
  KB_ARTICLE_NOT_FOUND: '知识库文章 {id} 不存在。',
  KB_ARTICLE_NOT_USABLE: '知识库文章 {id} 不存在或已停用。',
  ROUTING_CATEGORY_INACTIVE: '事项类别“{name}”已停用，请选择启用的类别。',
  ROUTING_CATEGORY_NOT_FOUND: '事项类别 {id} 不存在。',
  ROUTING_OVERRIDE_DUPLICATE: '此类别在该地点已有属地调整规则：请删除或修改已有的规则。',
  ROUTING_OVERRIDE_NOT_FOUND: '属地调整规则 {id} 不存在。',
  ROUTING_PLACE_KIND_INVALID: '单位 {id} 是{kind}：属地调整只能设在街道、社区或网格。',
  ROUTING_PLACE_NOT_FOUND: '地点 {id} 不存在。',
  ROUTING_UNIT_INACTIVE: '{what}“{name}”已停用，请选择启用的单位。',
  ROUTING_UNIT_NOT_FOUND: '{what} {id} 不存在。',
  ROUTING_UNIT_NOT_HANDLING: '“{name}”是{kind}，不是承办单位：请选择部门、街道、社区或网格。',

  // ---- dispatch: Open311 ----
  OPEN311_ADDRESS_ID_UNKNOWN: 'address_id {addressId} 不是已知的街道、社区或网格编码。',
  OPEN311_API_KEY_INVALID: 'api_key 无效；公开查询请不带 api_key。',
  OPEN311_API_KEY_REQUIRED: '缺少 api_key 或 api_key 无效。',
  OPEN311_CHANNEL_RESERVED: 'open311 渠道仅用于经 Open311 接口提交的工单；工作台受理请选择热线、网站或网格。',
  OPEN311_COORDINATES_UNPAIRED: '经度和纬度必须同时填写。',
  OPEN311_DATE_RANGE_INVALID: '开始日期晚于结束日期。',
  OPEN311_DISABLED: '本服务器未开放 Open311 提交（未配置 OPEN311_API_KEYS）。',
  OPEN311_EMAIL_INVALID: '电子邮箱地址无效。',
  OPEN311_INVALID_COORDINATE: '{field} 必须是 -{limit} 到 {limit} 之间的数字（WGS84 度）。',
  OPEN311_INVALID_TIME: '{field} 必须是 W3C 日期时间，如 2026-11-23T09:00:00+08:00。',
  OPEN311_LOCATION_REQUIRED: '需要位置：经纬度、地址或地址编码至少填写一项。',
  OPEN311_MEDIA_URL_INVALID: 'media_url 必须是 http(s) 地址。',
  OPEN311_PHONE_INVALID: '电话号码无效。',
  OPEN311_REQUEST_NOT_FOUND: '诉求 {id} 不存在。',
  OPEN311_RESOURCE_NOT_FOUND: '没有此 Open311 资源：{path}。',
  OPEN311_SERVICE_CODE_REQUIRED: '缺少 service_code。',
  OPEN311_SERVICE_NOT_FOUND: '服务编码 {serviceCode} 不存在。',
  OPEN311_STATUS_INVALID: 'status 只能是 open、closed 或 open,closed。',

  // ---- telephony ----
  AGENT_ALREADY_ON_CALL: '您已在通话 {callId} 中，请先结束该通话。',
  AGENT_NOT_AVAILABLE: '您当前为“{state}”：请先将坐席状态设为空闲再接听来电。',
  AGENT_ON_CALL_BY_ANSWER: '“通话中”由接听来电自动设置，请选择空闲、话后处理或小休。',
  AGENT_STILL_ON_CALL: '您仍在通话 {callId} 中：请先挂断或转接，再设为空闲。',
  CALL_AUDIO_NOT_LIVE: '通话 {callId} 已不在进行中，通话音频只在通话期间可用。',
  CALL_AUDIO_NOT_YOURS: '通话 {callId} 不是您的通话，请先接听。',
  CALL_BEING_PLACED: '上一个呼叫正在拨出，请等待或先挂断。',
  CALL_NOT_ANSWERED_FOR_HOLD: '通话 {callId} 当前为“{state}”：只有已接通的通话才能保持。',
  CALL_NOT_FOUND: '通话 {callId} 不存在。',
  CALL_NOT_HELD: '通话 {callId} 当前为“{state}”，未处于保持状态。',
  CALL_NOT_LIVE: '通话 {callId} 已结束或不存在。',
  CALL_NOT_WAITING: '通话 {callId} 当前为“{state}”，不在等待接听，无法接听。',
  CALL_NOT_YOURS: '通话 {callId} 不是您的通话：只有接听的话务员可以操作。',
  CALL_NOT_YOURS_TO_HANG_UP: '通话 {callId} 不是您的通话：只有接听的话务员可以挂断。',
  CALL_OFFERED_TO_OTHER: '通话 {callId} 正在分配给其他话务员。',
  DIAL_NO_DIGITS: '“{number}”中没有可拨打的号码。',
  DTMF_UNSUPPORTED: '通话 {callId} 所在线路不能发送按键音。',
  HOLD_REFUSED: '无法保持通话：{reason}。',
  INGRESS_OFF: '音频接入未开启：请在服务器上设置 INGRESS_TOKEN。',
  INGRESS_TOKEN_WRONG: '音频接入令牌错误或缺失。',
  OUTBOUND_CALL_NOT_YOURS: '通话 {callId} 不是您拨出的：只有拨出的人可以挂断。',
  OUTBOUND_SIP_DOWN: '外呼需要的 SIP 服务未运行：{reason}。',
  OUTBOUND_SIP_OFF: '外呼需要开启 SIP（SIP_ENABLED=true）并配置外呼中继（SIP_OUTBOUND_TRUNK）。',
  OUTBOUND_TRUNK_MISSING: '未配置外呼中继：请设置 SIP_OUTBOUND_TRUNK 后再从工作台外呼。',
  TELEPHONY_STOPPING: '话务服务正在停止，请稍后再试。',
  TRANSFER_BRIDGE_UNAVAILABLE: '桥接转接需要开启 SIP（SIP_ENABLED）并有到目标的线路。',
  TRANSFER_CALL_NOT_ANSWERED: '通话 {callId} 当前为“{state}”：只有已接通的通话才能转接。',
  TRANSFER_LINE_NOT_CONFIGURED: '{line} 线路未配置：请设置 TRANSFER_{line}_URI。',
  TRANSFER_REFER_UNSUPPORTED: '{channel} 通话不能用 REFER 方式转接，请改用桥接方式。',
  TRANSFER_TARGET_INVALID: '“{target}”不是有效的转接目标：请使用 110、119、120 或 SIP 地址。',
  USER_ALREADY_ON_CALL: '您已在通话 {callId} 中，请先挂断再拨打下一个。',

  // ---- emergency ----
  EMERGENCY_CASE_NOT_OF_CALL: '工单 {workOrderId} 不是通话 {callId} 的工单：请不带工单转接，或选择本通话的工单。',
  EMERGENCY_TELEPHONY_UNAVAILABLE: '此处未运行话务服务：请在电话系统上转接，再将工单登记为转 110。',
  EMERGENCY_WORK_ORDER_NOT_FOUND: '工单 {workOrderId} 不存在：请先不带工单转接，稍后再登记工单。',

  // ---- classifier ----
  CLASSIFIER_FEEDBACK_CATEGORY_MISSING: '反馈需要最终的事项类别。',
  CLASSIFIER_FEEDBACK_TEXT_EMPTY: '反馈需要工单内容，当前为空。',
  CLASSIFIER_MODEL_UNLOADABLE: '当前启用的分类模型 {version} 无法加载：{reason}',
  CLASSIFIER_NO_ACTIVE_MODEL: '没有启用的分类模型：请训练或启用一个模型版本。',
  CLASSIFIER_NO_EARLIER_VERSION: '版本 {version} 没有可回退的更早版本。',
  CLASSIFIER_NOTHING_ACTIVE: '没有启用的分类模型版本，无法回退。',
  CLASSIFIER_PROMOTION_REFUSED: '版本 {version} 未启用：{refusal}。如确需启用，请选择强制启用。',
  CLASSIFIER_TEXT_EMPTY: '内容为空，请填写中文诉求内容。',
  CLASSIFIER_TEXT_NOT_CHINESE: '内容没有中文：分类服务只能识别中文诉求。',
  CLASSIFIER_TEXT_NOT_STRING: '内容必须是文字。',
  CLASSIFIER_TEXT_TOO_LONG: '内容有 {length} 个字，最多 {max} 个字：请只填写诉求内容。',
  CLASSIFIER_VERSION_EXISTS: '模型版本 {version} 已登记，请换一个版本号。',
  CLASSIFIER_VERSION_FILES_MISSING: '版本 {version} 的模型文件缺失，无法启用。',
  CLASSIFIER_VERSION_NOT_FOUND: '分类模型版本 {version} 不存在。',
  EMERGENCY_CONTEXT_EXISTS: '已有相同的语境规则 {pattern}，请编辑已有的规则。',
  EMERGENCY_CONTEXT_NOT_FOUND: '紧急语境规则 {id} 不存在。',
  EMERGENCY_CONTEXT_PATTERN_EMPTY: '语境词为空，请填写如“去年”的词语。',
  EMERGENCY_CONTEXT_ROLE_INVALID: '“{role}”不是语境位置：请使用 before、after 或 now。',
  EMERGENCY_EXCEPT_EMPTY: '排除词中有空项：请填写如“火灾隐患”的词语，或删除该项。',
  EMERGENCY_LINE_INVALID: '{line} 不是紧急热线：请使用 110、119 或 120。',
  EMERGENCY_PATTERN_INVALID: '{pattern} 不是有效的正则表达式：{reason}。',
  EMERGENCY_PATTERN_MATCHES_EMPTY: '{pattern} 能匹配空文字，会处处命中。',
  EMERGENCY_PATTERN_SLOW: '{pattern} 匹配可能极慢：请勿嵌套重复，例如写成 {example}。',
  EMERGENCY_RULE_EXISTS: '已有相同的规则 {pattern}，请编辑已有的规则。',
  EMERGENCY_RULE_NOT_FOUND: '紧急规则 {id} 不存在。',
  EMERGENCY_RULE_PATTERN_EMPTY: '规则关键词为空，请填写如“持刀”的关键词。',
  EMERGENCY_TOO_MANY_EXCEPTS: '一条规则最多 50 个排除词，当前 {count} 个：请用“|”合并部分排除词。',

  // ---- intake ----
  INTAKE_CALL_NOT_FOUND: '通话 {callId} 不存在。',
  INTAKE_CALL_NOT_YOURS: '通话 {callId} 不是您的通话：只有接听的话务员和值班长可以从中提取信息。',
  INTAKE_NO_TRANSCRIPT: '没有可提取信息的通话转写。',
  INTAKE_SEGMENT_ENDS_BEFORE_START: '第 {index} 段转写的结束时间早于开始时间。',
  INTAKE_SEGMENTS_AND_CALL: '转写内容和通话只能给出其一。',
  INTAKE_TRANSCRIPT_UNREADABLE: '无法读取通话转写：{problem}（总共最多 {maxChars} 个字）。',

  // ---- asr ----
  ASR_AUDIO_UNREADABLE: '无法读取音频 {path}：{reason}。',
  ASR_BUSY: '语音识别繁忙：{size} 路识别全部占用，请在有通话结束后再试。',
  ASR_CLOSED: '语音识别正在关闭。',
  ASR_FAILED: '语音识别失败：{reason}',
  ASR_REMOTE_UNREACHABLE: '无法连接远程语音识别服务 {url}（{reason}）。',
  ASR_SAMPLE_RATE_UNSUPPORTED: '不支持 {rate} Hz 的采样率，请使用 8000 或 16000 Hz。',
  ASR_START_FAILED: '语音识别（{engine}）无法启动：{reason}',
  ASR_WAV_CHANNELS_INVALID: '{name} 声明了 {channels} 个声道，不是有效的 WAV 文件。',
  ASR_WAV_EMPTY: '{name} 是空文件，请提供有语音的 WAV 文件。',
  ASR_WAV_FMT_TRUNCATED: '{name} 的 WAV 格式信息不完整。',
  ASR_WAV_FORMAT_UNSUPPORTED: '{name} 是 {bits} 位的 WAV 格式 {format}：只支持 16 位 PCM、µ-law 或 A-law，请先转换。',
  ASR_WAV_NO_DATA: '{name} 没有音频数据。',
  ASR_WAV_NO_FMT: '{name} 缺少格式信息，不是有效的 WAV 文件，请先转换。',
  ASR_WAV_NO_SAMPLES: '{name} 没有音频样本，请提供有语音的 WAV 文件。',
  ASR_WAV_NOT_WAV: '{name} 不是 WAV 文件，请先转换。',
  ASR_WAV_RATE_UNSUPPORTED: '{name} 的采样率为 {rate} Hz：只接受 8000 或 16000 Hz，请先转换。',

  // ---- callback ----
  CALLBACK_ALREADY_YOURS: '您已领取回访 {id}，请登记回访结果。',
  CALLBACK_CALL_NOT_CLAIMED: '回访 {id} 当前为“{state}”：请先领取再拨打。',
  CALLBACK_CALL_NOT_YOURS: '回访 {id} 已由其他人员领取：只有领取人可以致电该市民。',
  CALLBACK_CASE_MOVED_ON: '工单 {number} 已不在等待回访，无需再拨打；失败的回访记录保留。',
  CALLBACK_CASE_NOT_PENDING: '工单 {id} 当前不在待回访状态：回访在答复通过后进行。',
  CALLBACK_CHANGED_MEANWHILE: '回访 {id} 已被修改，请刷新列表。',
  CALLBACK_CHANGED_WHILE_RECORDING: '登记结果时回访 {id} 已被修改，请刷新后重试。',
  CALLBACK_CLAIMED_BY_OTHER: '回访 {id} 已被他人先领取，请从待回访列表中选择其他回访。',
  CALLBACK_NO_PHONE: '工单 {number} 没有可拨打的电话：请登记结果为“联系不上”。',
  CALLBACK_NOT_CLAIMABLE: '回访 {id} 当前为“{state}”：只有待回访的才能领取。',
  CALLBACK_NOT_CLAIMED: '回访 {id} 当前为“{state}”：请先领取再登记结果。',
  CALLBACK_NOT_FAILED: '回访 {id} 当前为“{state}”：只有失败/需人工的回访可以重试或接手。',
  CALLBACK_NOT_FOUND: '回访 {id} 不存在。',
  CALLBACK_OUTCOME_UNKNOWN: '“{outcome}”不是回访结果，可选：{outcomes}。',
  CALLBACK_RESULT_NOT_YOURS: '回访 {id} 已由其他人员领取：只有领取人（或值班长）可以登记结果。',
  CALLBACK_SURVEY_CALLING: '自动回访正在拨打回访 {id}，请稍后再试。',
  CALLBACK_TAKEN_BY_OTHER: '回访 {id} 已被他人先接手或重试，请刷新列表。',
  CALLBACK_WORK_ORDER_NOT_FOUND: '工单 {id} 不存在。',
  CLICK_TO_CALL_UNAVAILABLE: '一键外呼需要话务模块（SIP_ENABLED=true）和外呼中继（SIP_OUTBOUND_TRUNK）。',

  // ---- audit ----
  AUDIT_RECORD_TYPE_REQUIRED: '按记录编号查询时需要同时选择记录类型（工单、通话或回访）。',

  // ---- metrics ----
  METRICS_ADDRESS_REFUSED: '监控指标接口未向 {ip} 开放。',
  METRICS_ALLOW_INVALID: 'METRICS_ALLOW 中的“{entry}”不是地址或网段。',
  METRICS_TIMEZONE_UNKNOWN: '数据库不认识时区 {timezone}，请使用如 Asia/Shanghai 的名称。',
  METRICS_TOKEN_REQUIRED: '监控指标接口需要 METRICS_TOKEN 令牌。',
  REPORT_DAY_INVALID: '“{value}”不是日期，请按 YYYY-MM-DD 填写。',
  REPORT_PERIOD_REVERSED: '结束日期（{to}）早于开始日期（{from}），请对调两个日期。',
  REPORT_PERIOD_TOO_LONG: '统计区间有 {days} 天，每次最多 {max} 天。',
};

/** The `{name}` placeholders of a template. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
}

/** The Chinese text of a refusal, or undefined when the code has none (api.ts then falls back). */
export function errorTextZh(code: string, params: Record<string, unknown> = {}): string | undefined {
  const template = ERRORS_ZH[code];
  if (template === undefined) return undefined;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined || v === null) return '?';
    return PARAM_ZH[name]?.(v) ?? String(v);
  });
}

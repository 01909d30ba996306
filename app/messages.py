"""The server's one catalogue of user-visible text (Simplified Chinese)."""

HTTP = {
    400: "请求无效",
    401: "请先登录",
    403: "没有权限执行此操作",
    404: "记录不存在",
    405: "不支持该请求方法",
    409: "与已有记录冲突",
    413: "上传内容过大",
    415: "请以 JSON 格式提交",
    422: "提交的数据有误",
    429: "操作过于频繁，请稍后再试",
    500: "服务器内部错误，请稍后再试",
    503: "服务暂时不可用，请稍后再试",
}

TEXT = {
    "login_failed": "手机号或密码错误",
    "login_limited": "登录失败次数过多，请稍后再试",
    "login_unavailable": "登录服务暂时不可用，请稍后再试",
    "account_disabled": "手机号或密码错误",
    "csrf_failed": "安全校验失败（缺少或无效的 CSRF 令牌），请刷新后重试",
    "unauthenticated": "请先登录",
    "stale": "记录刚被他人修改，请刷新后重试",
    "mutation_reused": "该离线记录编号已被另一条记录使用",
    "unstorable": "该记录无法保存：内容超出范围或格式不被接受",
    "visit_conflict": "该走访记录编号已存在且内容不同",
    "household_conflict": "该户信息已被他人修改，请核对后再保存",
    "member_cap": "该党员已包联 {cap} 户，达到上限，不能再分配",
    "not_a_member": "只能分配给党员",
    "member_not_found": "找不到该党员，或不在您管辖的村",
    "member_out_of_village": "该党员不在本户所在村",
    "reassign_forbidden": "只有村党支部书记及以上可以调整包联党员",
    "visit_in_future": "走访时间不能晚于当前时间",
    "step_in_future": "时间不能晚于当前时间，请检查手机时间",
    "step_before_previous": "时间不能早于上一步，请检查手机时间",
    "duplicate_needs": "诉求类别不能重复",
    "unknown_field": "不认识的字段",
    "bad_json": "请求体不是有效的 JSON",
    "busy": "系统繁忙，请稍后再试",
    "password_short": "密码至少 {min} 位",
    "password_phone": "密码不能包含手机号（或其中连续 6 位数字）",
    "password_common": "密码过于简单或常见，容易被猜中，请换一个",
    "bad_cursor": "无效，请从第一页重新加载",
    "field_error": "{label}：{detail}",
    "item": "第 {n} 条",
}

ADMIN_TEXT = {
    "unit_out_of_scope": "不在您管辖的范围内，或该组织不能安排此角色",
    "unit_wrong_kind": "该角色不能安排在这一级组织（党员、信息员、网格长在网格，书记在村，乡镇干部在乡镇）",
    "phone_taken": "该手机号已被其他人员使用",
    "informant_only_members": "只有党员需要指定信息员",
    "informant_same_grid": "党员的信息员须是同一网格的在岗信息员",
    "hand_over_first": "该党员仍有包联户，请先交接",
    "informant_has_members": "该信息员仍联系着党员，请先为这些党员更换信息员",
    "not_a_member": "只有党员有包联户可以交接",
    "nothing_to_hand_over": "没有要交接的包联户",
    "hand_over_to_self": "不能交接给本人",
    "hand_over_refused": "交接未进行：{name}：{why}",
    "not_their_household": "第 {id} 号住户不是该党员的包联户",
    "unit_name_taken": "同一上级下已有同名组织",
    "wrong_password": "旧密码不正确",
    "password_change_required": "请先修改临时密码",
    "same_password": "新密码不能与旧密码相同",
}

# Names of fields as users know them; used to say which field is wrong.
FIELD_LABELS = {
    "id": "编号",
    "phone": "手机号",
    "password": "密码",
    "name": "姓名",
    "household_id": "包联户",
    "visited_at": "走访时间",
    "mode": "走访方式",
    "notes": "情况记录",
    "needs": "诉求类别",
    "hardship": "困难程度",
    "head_name": "户主姓名",
    "address": "住址",
    "people": "人口数",
    "tags": "标签",
    "member_id": "包联党员",
    "version": "版本号",
    "cursor": "分页游标",
    "limit": "每页条数",
    "q": "搜索词",
    "role": "角色",
    "org_unit_id": "组织",
    "tag": "标签",
    "kind": "组织类型",
    "informant_id": "信息员",
    "to_member_id": "接手党员",
    "assignments": "交接安排",
    "parent_id": "上级组织",
    "active": "在岗",
    "old_password": "旧密码",
    "new_password": "新密码",
    "wecom_id": "企业微信账号",
    "_schema": "请求",
    "mutations": "离线记录",
    "endpoint": "推送地址",
    "keys": "推送密钥",
    "p256dh": "推送公钥",
    "auth": "推送认证",
    "webpush": "手机推送",
    "wecom": "企业微信",
    "sms": "短信",
    "data": "记录内容",
    "type": "记录类型",
    "category": "诉求类别",
    "title": "标题",
    "description": "情况描述",
    "urgency": "紧急程度",
    "visit_id": "走访记录",
    "reason": "理由",
    "department_id": "部门",
    "resolution": "办理结果",
    "body": "内容",
    "at": "操作时间",
    "opened_at": "发现时间",
    "case_id": "问题",
    "assignee_id": "承办人",
    "due_at": "截止时间",
    "status": "状态",
    "level": "层级",
    "awaiting": "待办",
    "overdue": "超时",
    "note": "备注",
    "days": "统计天数",
    "holder_id": "经办人",
    "satisfaction": "满意度",
    "no_revisit_reason": "未回访原因",
    "into_case_id": "并入的问题",
    "from": "开始日期",
    "to": "结束日期",
    "file": "照片",
    "keep_location": "保留拍摄位置",
    "attachments": "照片",
    "thumb": "缩略图",
    "household_no": "户编号",
    "relation": "与户主关系",
    "gender": "性别",
    "birth_year": "出生年份",
    "care": "重点人群",
    "id_number": "身份证号",
    "archived": "已归档",
    "unvisited_days": "未走访天数",
}

MARSHMALLOW = {
    "required": "必填",
    "null": "不能为空",
    "invalid": "格式无效",
    "invalid_string": "须为文字",
    "invalid_utf8": "须为有效的 UTF-8 文字",
    "invalid_int": "须为整数",
    "invalid_bool": "须为 true 或 false",
    "invalid_list": "须为列表",
    "invalid_uuid": "须为 UUID",
    "invalid_datetime": "须为 ISO 8601 时间",
    "invalid_date": "须为日期（如 2026-05-01）",
    "nul": "不能包含空字符",
    "year_range": "须在 2000 年到 2100 年之间",
    "naive_datetime": "须为带时区的时间（如 2026-05-01T09:30:00+08:00）",
    "too_large": "数值过大",
    "unknown": "不认识的字段",
    "one_of": "须为以下之一：{choices}",
    "length_max": "长度不能超过 {max}",
    "length_between": "长度须在 {min} 到 {max} 之间",
    "range": "须在 {min} 到 {max} 之间",
    "phone": "须为 11 位手机号或带区号的固定电话",
    "blank": "不能只有空白",
    "unique": "不能有重复项",
    "mobile": "须为 11 位手机号",
    "empty_patch": "没有要修改的内容",
    "list_length": "须有 {min} 到 {max} 项",
    "handover_target": "须指定接手党员，或逐户的交接安排（二者选一）",
}

ROLE_NAMES = {
    "member": "党员",
    "informant": "信息员",
    "grid_leader": "网格长",
    "secretary": "村党支部书记",
    "township": "乡镇干部",
    "department": "部门工作人员",
    "admin": "管理员",
}

ORG_KINDS = {
    "district": "区",
    "township": "乡镇/街道",
    "village": "村/社区",
    "grid": "网格",
    "department": "部门",
}

CATEGORIES = {
    "urgent_needs": "急难愁盼",
    "epidemic": "疫情防控",
    "fire": "护林防火",
    "civility": "文明提升",
    "environment": "环境整治",
    "industry": "产业发展",
    "other": "其他",
}

LEVEL_NAMES = {
    "member": "党员", "informant": "信息员", "grid": "网格", "branch": "村党支部",
    "township": "乡镇", "department": "部门",
}
STATUS_NAMES = {
    "open": "待处理", "escalated": "已上报", "dispatched": "已派单", "in_progress": "办理中",
    "resolved": "已办结", "closed": "已销号",
}
ACTION_NAMES = {
    "escalate": "上报", "dispatch": "派单", "accept": "接单", "assign_task": "布置任务",
    "resolve": "办结", "close": "销号", "reopen": "重新打开", "comment": "评论",
    "return": "退回", "reject": "退单", "recall": "撤回", "reassign": "改派", "revisit": "回访", "merge": "合并",
}
SATISFACTION_NAMES = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
URGENCY_NAMES = {"normal": "一般", "urgent": "紧急"}
TASK_STATUS_NAMES = {"assigned": "待接受", "accepted": "已接受", "done": "已完成"}

# Reports (统计) and the reconciliation lists (对账清单).
EVENT_NAMES = {
    "opened": "登记问题", "escalated": "上报", "dispatched": "派单", "accepted": "接单", "resolved": "办结",
    "closed": "销号", "reopened": "重新打开", "commented": "评论", "task_assigned": "布置任务",
    "task_accepted": "接受任务", "task_done": "完成任务", "overdue_escalated": "超时上交", "overdue": "超时提醒", "rehomed": "转交新经办人",
    "returned": "退回", "rejected": "退单", "recalled": "撤回", "reassigned": "改派", "revisited": "回访",
    "merged": "合并", "merged_in": "并入",
}
REPORTS = {
    "view": "查看统计",
    "export_cases": "导出问题清单",
    "export_households": "导出包联户清单",
    "cases_sheet": "问题清单",
    "households_sheet": "包联户清单",
    "cases_file": "问题清单-{unit}-{date}.xlsx",
    "households_file": "包联户清单-{unit}-{date}.xlsx",
    "rates_sheet": "三率",
    "rates_file": "三率-{unit}-{start}至{end}.xlsx",
    "rates_total": "合计",
    "rates_unit": "组织",
    "rates_department": "部门",
    "period_order": "结束日期不能早于开始日期",
    "yes": "是",
    "no": "否",
}
CASE_EXPORT_COLUMNS = (
    "编号", "户主", "村", "网格", "类别", "标题", "紧急程度", "状态", "层级", "当前经办人", "上报时间",
    "截止时间", "是否超时", "办结时间", "销号时间", "办理结果", "最后一步", "最后一步时间", "回访结果", "并入问题",
)
# The three rates (三率) of each unit and department for a period; see app/reports/rates.py.
RATES_EXPORT_COLUMNS = (
    "名称", "类别", "按时响应", "应响应", "响应率", "销号", "办结后核对", "解决率", "满意", "回访", "满意率",
)

CASE_TEXT = {
    "wrong_state": "该问题{status}（{level}），不能{action}",
    "who_may": "只有{who}可以{action}",
    "overdue_reason": "{level}处理超时",
    "open_action": "上报问题",
    "nobody": "经办人",
    "no_one_above": "上级没有可接收的人员，请联系管理员",
    "event_conflict": "该操作编号已被另一操作使用",
    "photos_differ": "与第一次提交时的照片不同（同一操作重发时照片须一致）",
    "case_conflict": "该问题编号已存在且内容不同",
    "visit_elsewhere": "该走访记录不属于这一户",
    "not_department": "请选择一个部门",
    "task_conflict": "该任务编号已存在且内容不同",
    "task_not_assignee": "只有任务承办人可以{action}",
    "task_wrong_state": "该任务{status}，不能{action}",
    "task_assign_roles": "只有村党支部书记或乡镇干部可以布置任务",
    "assignee_unknown": "承办人不在您的范围内",
    "due_in_past": "截止时间不能早于现在",
    "no_one_below": "下级没有可接收的人员，请改派或联系管理员",
    "revisit_first": "销号前须回访群众；确实无法回访的，请写明原因",
    "revisit_conflict": "该回访编号已存在且内容不同",
    "reassign_whom": "须为能看到这一户、您可以改派给的在岗人员",
    "reassign_same": "已是当前经办人",
    "merge_unknown": "找不到该问题，或不在您的范围内",
    "merge_self": "不能并入自身",
    "merge_closed": "该问题已销号，不能再并入",
    "returned_reason": "退回：{reason}",
    "rejected_reason": "{department}退单：{reason}",
    "reassigned_reason": "改派：{reason}",
    "unsatisfied_reason": "回访不满意：{notes}",
}

# Notification texts (inbox, push, WeCom).
NOTIFY = {
    "case_arrived": ("待办：{title}", "{household}：{reason}"),
    "case_dispatched": ("派单：{title}", "乡镇派单至{department}，请接单"),
    "case_overdue": ("超时提醒：{title}", "{level}处理已超时，请尽快办理"),
    "case_rehomed": ("转交：{title}", "{household}已改由您包联，此问题转交给您"),
    "case_resolved": ("已办结：{title}", "{resolution}"),
    "case_closed": ("已销号：{title}", "您上报的问题已办结销号"),
    "task_assigned": ("新任务：{title}", "{assigner}布置，截止 {due}"),
    "task_done": ("任务完成：{title}", "{assignee}已完成"),
    "case_recalled": ("撤回：{title}", "乡镇已撤回派单：{reason}"),
    "case_merged": ("已合并：{title}", "已并入“{into}”一并办理"),
    "unvisited": ("走访提醒", "您包联的 {count} 户已超过 {days} 天没有走访，方便时去看看"),
}
# The one variable of the SMS template ("您有新的${item}，请打开包联查看。"): what waits, never
# whose or why (a text message is read on shared phones).
SMS_ITEMS = {
    "task_assigned": "任务",
    "case_arrived": "待办事项",
    "case_dispatched": "派单",
    "case_overdue": "超时提醒",
    "default": "消息",
}
NOTIFY_TEXT = {
    "endpoint_refused": "推送地址不被接受：须为浏览器推送服务的 https 地址",
    "bad_p256dh": "不是浏览器给出的推送公钥，请在本机重新开启推送",
    "bad_auth": "不是浏览器给出的推送认证密钥，请在本机重新开启推送",
    "not_your_device": "不能删除他人的设备",
    "admins_only": "只有管理员可以查看发送记录",
}

# Photos (拍照): uploads refused, photos that cannot be put on a record.
ATTACHMENT_TEXT = {
    "empty": "文件是空的",
    "not_image": "只接受 JPEG、PNG 或 WebP 格式的照片（按文件内容判断，与文件名无关）",
    "broken": "文件不完整或已损坏，请重新拍摄或选择",
    "too_many_pixels": "像素过多，请在手机上压缩后再上传",
    "too_large": "文件过大，最大 {max} KB，请压缩后再上传",
    "too_large_after": "压缩后仍超过 {max} KB，请缩小后再上传",
    "conflict": "该照片编号已存在且内容不同",
    "not_uploaded": "第 {n} 张尚未上传或不存在",
    "taken": "第 {n} 张已附在另一条记录上",
    "too_many": "最多 {n} 张",
    "store_unavailable": "照片存储暂时不可用，请稍后再试",
}

TASK_ACTION_NAMES = {"accept": "接受", "complete": "完成"}

VISIT_MODES = {"door": "入户", "phone": "电话", "other": "其他"}
HARDSHIP = {"none": "无", "mild": "一般", "serious": "较重", "urgent": "紧急"}
HOUSEHOLD_TAGS = ("低保", "特困", "独居老人", "空巢老人", "残疾", "留守儿童", "重病", "脱贫户", "监测户", "退役军人")

# The household register (一户一档): residents, their care categories (重点人群), archiving.
CARE = {
    "elderly_alone": "独居老人", "empty_nest": "空巢老人", "left_behind_child": "留守儿童", "disabled": "残疾人",
    "dibao": "低保", "tekun": "特困供养", "serious_illness": "重病", "veteran": "退役军人", "other": "其他",
}
# The household tag each care category of a resident implies; the household's tags follow its residents.
CARE_TAGS = {
    "elderly_alone": "独居老人", "empty_nest": "空巢老人", "left_behind_child": "留守儿童", "disabled": "残疾",
    "dibao": "低保", "tekun": "特困", "serious_illness": "重病", "veteran": "退役军人",
}
RELATIONS = {"head": "户主", "spouse": "配偶", "child": "子女", "parent": "父母", "grandchild": "孙子女", "other": "其他"}
GENDERS = {"male": "男", "female": "女"}
ARCHIVE_REASONS = {"moved_out": "迁出", "deregistered": "户销", "merged": "合户", "other": "其他"}
REGISTER = {
    "manage": "管理住户",
    "import": "导入住户",
    "reveal": "查看完整身份证号",
    "no_taken": "户编号 {no} 在本村已被使用",
    "no_format": "须为 1 到 20 个字，不含空格",
    "not_a_place": "须为您范围内的村或网格",
    "place_required": "请选择网格或包联党员",
    "member_other_grid": "该党员不在所选网格",
    "member_left_behind": "该户的包联党员不在新网格，请同时调整包联党员",
    "other_village": "只能调整到本村的网格",
    "open_cases": "该户还有 {n} 个问题未办结，请先办结再归档",
    "one_head": "一户只能有一位户主",
    "id_format": "须为 18 位，前 17 位为数字，最后一位为数字或 X",
    "id_check_digit": "校验位不正确，请核对",
    "id_birth_date": "其中的出生日期无效",
    "id_year": "与身份证号中的出生年份（{year}）不一致",
    "id_gender": "与身份证号中的性别（{gender}）不一致",
    "sheet_households": "住户",
    "sheet_residents": "家庭成员",
    "sheet_help": "说明",
    "sheet_places": "网格与党员",
    "template_file": "住户导入模板.xlsx",
    "residents_file": "家庭成员-{unit}-{date}.xlsx",
    "unvisited_file": "未走访户-{unit}-{date}.xlsx",
    "example": "示例",
    "help_header": ("列", "是否必填", "填写说明"),
    "places_header": ("村", "网格", "党员", "手机号"),
    "required": "必填",
    "optional": "选填",
    "ignored": "导出时填写，导入时忽略",
    "help_intro": "第 2 行是示例（户编号为“示例”），导入时忽略，可以删除。按户编号匹配已有住户：户编号相同的行更新该户，"
                  "没有户编号的行新增住户（系统自动编号）。导入从不删除住户或家庭成员。",
}
# What each column of the register's spreadsheets holds (the template's 说明 sheet).
REGISTER_HELP = {
    "household_no": "本村唯一；留空则新增并自动编号。要同时导入家庭成员的新户，请填写户编号",
    "village_name": "村名；村党支部书记导入本村时可留空",
    "grid_name": "本村的网格名称",
    "head_name": "户主姓名，不超过 40 字",
    "address": "不超过 200 字",
    "people": "1 到 30 的整数",
    "phone": "11 位手机号，或带区号的固定电话（如 0355-6123456）；请把该列设为文本格式",
    "tags": "用顿号分隔，可选：{tags}",
    "hardship": "是 或 否（留空为否）",
    "member_name": "包联党员姓名（本村同名时请填写手机号）",
    "member_phone": "包联党员手机号；与姓名都填时须一致",
    "name": "家庭成员姓名",
    "relation": "可选：{relations}",
    "gender": "男 或 女",
    "birth_year": "四位年份，如 1958",
    "care": "用顿号分隔，可选：{care}",
    "id_number": "18 位身份证号，选填；导出时只显示前 3 位和后 4 位，原样导回不会改动",
}
# The register's spreadsheet columns: the header the exports write first, then the other headers
# the import accepts. Exports and the import share them, so a file exported can be imported as it is;
# the last columns of each table are filled by the exports and ignored by the import.
HOUSEHOLD_COLUMNS = {
    "household_no": ("户编号", "household_no"),
    "village_name": ("村", "村名", "village"),
    "grid_name": ("网格", "grid"),
    "head_name": ("户主", "户主姓名", "head_name"),
    "address": ("住址", "地址", "address"),
    "people": ("人口", "人口数", "people"),
    "phone": ("电话", "联系电话", "phone"),
    "tags": ("标签", "tags"),
    "hardship": ("困难户", "困难", "hardship"),
    "member_name": ("包联党员", "包联党员姓名", "member_name"),
    "member_phone": ("党员手机号", "包联党员手机号", "member_phone"),
    "last_visit_at": ("最近走访时间",),
    "open_cases": ("未结问题数",),
}
RESIDENT_COLUMNS = {
    "village_name": ("村", "村名", "village"),
    "household_no": ("户编号", "household_no"),
    "name": ("姓名", "name"),
    "relation": ("与户主关系", "关系", "relation"),
    "gender": ("性别", "gender"),
    "birth_year": ("出生年份", "birth_year"),
    "phone": ("电话", "联系电话", "phone"),
    "care": ("重点人群", "care"),
    "id_number": ("身份证号", "公民身份号码", "id_number"),
    "head_name": ("户主",),
    "member_name": ("包联党员",),
    "last_visit_at": ("最近走访时间",),
}
IMPORT = {
    "missing_columns": "缺少列：{names}",
    "bad_type": "只支持 .xlsx 或 .csv 文件",
    "no_file": "请选择要导入的文件（.xlsx 或 .csv）",
    "too_large": "文件超过 {mb} MB，请分成几个文件导入",
    "not_xlsx": "不是有效的 .xlsx 文件（可能是改了扩展名的其他文件），请在 Excel 或 WPS 中另存为 .xlsx",
    "old_xls": "这是旧版 Excel（.xls）文件，请在 Excel 或 WPS 中另存为 .xlsx 后再导入",
    "broken": "文件已损坏或格式不受支持，请在 Excel 或 WPS 中另存为 .xlsx 后再导入",
    "unzipped_too_large": "文件解压后超过 {mb} MB，不像是正常的表格，请检查后再导入",
    "too_many_sheets": "工作表超过 {n} 个，请只保留要导入的工作表",
    "declared_too_big": "工作表“{sheet}”声明了 {rows} 行、{columns} 列，超过上限（{max_rows} 行、{max_columns} 列），"
                        "请删除多余的行列后再导入",
    "too_many_columns": "工作表“{sheet}”第 {row} 行超过 {max} 列，请删除多余的列后再导入",
    "too_many_rows": "工作表“{sheet}”超过 {max} 行，请分成几个文件导入",
    "cell_too_long": "工作表“{sheet}”第 {row} 行第 {column} 列超过 {max} 个字，文件可能已损坏",
    "encoding": "无法识别文件的文字编码，请另存为 UTF-8 或 GBK（ANSI）编码的 CSV，或 .xlsx",
    "no_table": "没有找到住户或家庭成员表：表头须有“户主”或“与户主关系”等列",
    "failed": "文件有 {count} 处错误，未导入任何数据",
    "unknown_village": "找不到“{name}”，或不在您的范围内",
    "ambiguous_village": "“{name}”不止一个，请联系管理员",
    "required": "必填",
    "unknown_grid": "“{village}”下没有“{name}”",
    "unknown_member": "找不到党员 {who}",
    "ambiguous_member": "本村有不止一位“{name}”，请填写党员手机号",
    "member_mismatch": "与包联党员“{name}”不一致",
    "member_elsewhere": "{phone} 不在“{grid}”",
    "member_cap": "该党员已包联 {cap} 户，达到上限",
    "duplicate": "该户已存在（同一网格、户主、住址）",
    "duplicate_in_file": "与第 {row} 行重复",
    "archived": "户编号 {no} 的住户已归档，请先在系统中恢复",
    "zeros_dropped": "像是 Excel 去掉了开头的 0（本村有户编号 {no}），请把该列设为文本格式后重新填写",
    "phone_zeros": "像是 Excel 去掉了开头的 0，请把该列设为文本格式后重新填写",
    "id_as_number": "被 Excel 存成了数字，末尾几位已经丢失，请把该列设为文本格式后重新填写",
    "unknown_household": "本村没有户编号 {no}，文件的住户表里也没有",
    "resident_twice": "同一户里与第 {row} 行同名",
    "masked_mismatch": "与系统中的身份证号不符；要修改请填写完整的 18 位号码",
}

CLI = {
    "seeded": "演示数据已就绪：{units} 个组织，{users} 名用户，{households} 户",
    "seed_skipped": "数据库已有数据，跳过演示数据",
    "import_ok": "已导入 {count} 户",
    "import_failed": "文件有 {count} 处错误，未导入任何一户：",
    "import_row": "第 {row} 行：{message}",
    "overdue": "超时处理：{count} 件",
    "reminded": "走访提醒：{count} 人",
    "not_working_hours": "现在不在工作时间（北京时间 {start}:00–{end}:00），未发送走访提醒",
    "user_created": "已创建用户 {name}（{phone}），编号 {id}",
    "bad_name": "姓名须为 1 到 40 个字",
    "bad_phone": "手机号须为 11 位数字，以 1 开头",
    "bad_unit": "{role}须属于{kind}类组织",
    "phone_taken": "该手机号已有用户",
    "bad_informant": "信息员须是同一网格的信息员，且只有党员需要指定",
}

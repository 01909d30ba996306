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
    "bad_cursor": "无效，请从第一页重新加载",
    "field_error": "{label}：{detail}",
    "item": "第 {n} 条",
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
    "_schema": "请求",
    "mutations": "离线记录",
    "endpoint": "推送地址",
    "keys": "推送密钥",
    "p256dh": "推送公钥",
    "auth": "推送认证",
    "webpush": "手机推送",
    "wecom": "企业微信",
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
}
URGENCY_NAMES = {"normal": "一般", "urgent": "紧急"}
TASK_STATUS_NAMES = {"assigned": "待接受", "accepted": "已接受", "done": "已完成"}

# Reports (统计) and the reconciliation lists (对账清单).
EVENT_NAMES = {
    "opened": "登记问题", "escalated": "上报", "dispatched": "派单", "accepted": "接单", "resolved": "办结",
    "closed": "销号", "reopened": "重新打开", "commented": "评论", "task_assigned": "布置任务",
    "task_accepted": "接受任务", "task_done": "完成任务", "overdue_escalated": "超时上交", "overdue": "超时提醒", "rehomed": "转交新经办人",
}
REPORTS = {
    "view": "查看统计",
    "export_cases": "导出问题清单",
    "export_households": "导出包联户清单",
    "cases_sheet": "问题清单",
    "households_sheet": "包联户清单",
    "cases_file": "问题清单-{unit}-{date}.xlsx",
    "households_file": "包联户清单-{unit}-{date}.xlsx",
    "yes": "是",
    "no": "否",
}
CASE_EXPORT_COLUMNS = (
    "编号", "户主", "村", "网格", "类别", "标题", "紧急程度", "状态", "层级", "当前经办人", "上报时间",
    "截止时间", "是否超时", "办结时间", "销号时间", "办理结果", "最后一步", "最后一步时间",
)
HOUSEHOLD_EXPORT_COLUMNS = (
    "户主", "住址", "人口", "电话", "标签", "困难", "村", "网格", "包联党员", "最近走访时间", "未结问题数",
)

CASE_TEXT = {
    "wrong_state": "该问题{status}（{level}），不能{action}",
    "who_may": "只有{who}可以{action}",
    "nobody": "经办人",
    "no_one_above": "上级没有可接收的人员，请联系管理员",
    "event_conflict": "该操作编号已被另一操作使用",
    "case_conflict": "该问题编号已存在且内容不同",
    "visit_elsewhere": "该走访记录不属于这一户",
    "not_department": "请选择一个部门",
    "task_conflict": "该任务编号已存在且内容不同",
    "task_not_assignee": "只有任务承办人可以{action}",
    "task_wrong_state": "该任务{status}，不能{action}",
    "task_assign_roles": "只有村党支部书记或乡镇干部可以布置任务",
    "assignee_unknown": "承办人不在您的范围内",
    "due_in_past": "截止时间不能早于现在",
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
}
NOTIFY_TEXT = {
    "endpoint_refused": "推送地址不被接受：须为浏览器推送服务的 https 地址",
    "bad_p256dh": "不是浏览器给出的推送公钥，请在本机重新开启推送",
    "bad_auth": "不是浏览器给出的推送认证密钥，请在本机重新开启推送",
    "not_your_device": "不能删除他人的设备",
    "admins_only": "只有管理员可以查看发送记录",
}
    "overdue_reason": "{level}处理超时",
    "open_action": "上报问题",

TASK_ACTION_NAMES = {"accept": "接受", "complete": "完成"}

VISIT_MODES = {"door": "入户", "phone": "电话", "other": "其他"}
HARDSHIP = {"none": "无", "mild": "一般", "serious": "较重", "urgent": "紧急"}
HOUSEHOLD_TAGS = ("低保", "特困", "独居老人", "空巢老人", "残疾", "留守儿童", "重病", "脱贫户", "监测户", "退役军人")

# Import file column headers, Chinese as users write them, or the field names.
IMPORT_COLUMNS = {
    "village": ("村", "村名", "village"),
    "grid": ("网格", "grid"),
    "member_phone": ("包联党员手机号", "党员手机号", "member_phone"),
    "head_name": ("户主姓名", "户主", "head_name"),
    "address": ("住址", "地址", "address"),
    "people": ("人口数", "人口", "people"),
    "phone": ("联系电话", "电话", "phone"),
    "tags": ("标签", "tags"),
}
IMPORT = {
    "missing_columns": "缺少列：{names}",
    "unreadable": "无法读取文件：{why}",
    "unknown_village": "村：找不到“{name}”",
    "ambiguous_village": "村：“{name}”不止一个，请联系管理员",
    "unknown_grid": "网格：“{village}”下没有“{name}”",
    "unknown_member": "包联党员手机号：找不到党员 {phone}",
    "member_elsewhere": "包联党员手机号：{phone} 不在“{grid}”",
    "duplicate": "该户已存在（同一网格、户主、住址）",
    "duplicate_in_file": "与第 {row} 行重复",
    "bad_type": "只支持 .xlsx 或 .csv 文件",
}

CLI = {
    "seeded": "演示数据已就绪：{units} 个组织，{users} 名用户，{households} 户",
    "seed_skipped": "数据库已有数据，跳过演示数据",
    "import_ok": "已导入 {count} 户",
    "import_failed": "文件有 {count} 处错误，未导入任何一户：",
    "import_row": "第 {row} 行：{message}",
    "overdue": "超时处理：{count} 件",
    "user_created": "已创建用户 {name}（{phone}），编号 {id}",
    "bad_name": "姓名须为 1 到 40 个字",
    "bad_phone": "手机号须为 11 位数字，以 1 开头",
    "bad_unit": "{role}须属于{kind}类组织",
    "phone_taken": "该手机号已有用户",
    "bad_informant": "信息员须是同一网格的信息员，且只有党员需要指定",
}

"""The demo district: 潞城区, with 辛安泉镇 / 西流南村 built exactly as in the article.

Every record is found by its natural key before it is made, so seeding twice changes nothing.
"""
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.cases.demo import seed_demo_cases
from app.extensions import db
from app.households.models import Household
from app.org.models import OrgUnit, User
from app.org.service import create_org_unit
from app.policy.names import Kind, Role

DEMO_PASSWORD = "baolian2026"
DEMO_PHONE_PREFIX = "139000"  # every demo login, and no one else's
TOWNSHIPS = ("辛安泉镇", "黄牛蹄乡", "潞华街道", "成家川街道", "店上镇", "微子镇", "翟店镇", "合室乡")
DEPARTMENTS = ("民政局", "人社局", "卫健局", "应急管理局", "住建局", "农业农村局")
SURNAMES = ("王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢崔钟谭陆汪范金廖贾夏韦付方白邹孟熊秦邱")
GIVEN = ("建国", "秀英", "桂兰", "玉梅", "国强", "志刚", "海燕", "文华", "春生", "淑珍", "保平", "爱莲",
         "金花", "永红", "德胜", "来福", "红霞", "小平", "二虎", "丽娟", "福贵", "翠萍", "长顺", "月娥",
         "满仓", "巧云", "拴柱", "凤英", "有才", "素芳", "铁柱")
GRIDS = ("第一网格", "第二网格")


def person(i):
    return SURNAMES[(i * 7) % len(SURNAMES)] + GIVEN[(i * 11) % len(GIVEN)]


class Seeder:
    def __init__(self):
        self.password_hash = generate_password_hash(DEMO_PASSWORD, method="scrypt")
        self.logins = []

    def unit(self, kind, name, parent=None):
        found = db.session.scalars(select(OrgUnit).where(
            OrgUnit.name == name, OrgUnit.parent_id == (parent.id if parent else None))).first()
        return found or create_org_unit(kind=kind, name=name, parent=parent)

    def user(self, phone, name, role, unit, informant=None):
        found = db.session.scalars(select(User).where(User.phone == phone)).first()
        if found is None:
            found = User(phone=phone, name=name, role=role, org_unit_id=unit.id,
                         informant_id=informant.id if informant else None,
                         password_hash=self.password_hash)
            db.session.add(found)
            db.session.flush()
        self.logins.append(found)
        return found

    def household(self, grid, member, head_name, address, people, phone="", tags=(), hardship=False):
        found = db.session.scalars(select(Household).where(
            Household.org_unit_id == grid.id, Household.head_name == head_name,
            Household.address == address)).first()
        if found is None:
            found = Household(org_unit_id=grid.id, member_id=member.id, head_name=head_name,
                              address=address, people=people, phone=phone, tags=list(tags),
                              hardship=hardship)
            db.session.add(found)
        return found


def seed_demo():
    """Build (or find) the demo district; answers the demo users in a stable order."""
    s = Seeder()
    district = s.unit(Kind.DISTRICT, "潞城区")
    s.user("13900000000", "潞城区管理员", Role.ADMIN, district)
    towns = {name: s.unit(Kind.TOWNSHIP, name, district) for name in TOWNSHIPS}
    depts = {name: s.unit(Kind.DEPARTMENT, name, district) for name in DEPARTMENTS}
    s.user("13900000010", "王建军", Role.TOWNSHIP, towns["辛安泉镇"])
    s.user("13900000050", "刘淑珍", Role.DEPARTMENT, depts["民政局"])
    s.user("13900000051", "陈志刚", Role.DEPARTMENT, depts["人社局"])
    _seed_xiliunan(s, s.unit(Kind.VILLAGE, "西流南村", towns["辛安泉镇"]))
    _seed_small_village(s, s.unit(Kind.VILLAGE, "黄牛蹄村", towns["黄牛蹄乡"]))
    s.user("13900000011", "张安明", Role.TOWNSHIP, towns["黄牛蹄乡"])
    db.session.flush()
    seed_demo_cases()
    return s.logins


def _seed_xiliunan(s, village):
    """2 grids x 2 informants x 3 members x 10 households, one branch secretary."""
    s.user("13900000020", "赵红梅", Role.SECRETARY, village)
    n = 0
    for g, grid_name in enumerate(GRIDS):
        grid = s.unit(Kind.GRID, grid_name, village)
        s.user(f"139000000{31 + g}", person(100 + g), Role.GRID_LEADER, grid)
        for i in range(2):
            informant = s.user(f"139000000{41 + g * 2 + i}", person(200 + g * 2 + i), Role.INFORMANT, grid)
            for m in range(3):
                k = (g * 2 + i) * 3 + m
                name = "石水奇" if k == 0 else person(300 + k)
                member = s.user(f"13900000{101 + k}", name, Role.MEMBER, grid, informant)
                for _ in range(10):
                    n += 1
                    _demo_household(s, grid, member, g, n)


def _demo_household(s, grid, member, g, n):
    if n == 1:
        s.household(grid, member, "姜彩凤", "西流南村一组 1 号", 3, "13700000001", ("重病",), True)
        return
    tags = [t for t, every in (("低保", 7), ("独居老人", 11), ("残疾", 13), ("留守儿童", 17)) if n % every == 0]
    people = 1 if "独居老人" in tags else 1 + (n * 7) % 5
    s.household(grid, member, person(500 + n), f"西流南村{'一二'[g]}组 {n} 号", people,
                f"137{n:08d}", tags, hardship=bool(tags) and n % 2 == 0)


def _seed_small_village(s, village):
    """A second, small village, so scope has a neighbour to keep out."""
    s.user("13900000060", "孙保平", Role.SECRETARY, village)
    grid = s.unit(Kind.GRID, "第一网格", village)
    s.user("13900000061", "周德胜", Role.GRID_LEADER, grid)
    informant = s.user("13900000062", "吴月娥", Role.INFORMANT, grid)
    member = s.user("13900000063", "郑满仓", Role.MEMBER, grid, informant)
    for n in range(1, 6):
        s.household(grid, member, person(900 + n), f"黄牛蹄村 {n} 号", 2 + n % 3, f"1360000000{n}")

"""Plausible synthetic people and organisations: resident IDs with a valid GB 11643 check
character, Chinese names, phones, homes near the city centre, credit codes (GB 32100)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from ltci_shared.ids import resident_id_check_char
from ltci_shared.uscc import USCC_CHARSET, uscc_check_char

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蒋蔡余杜叶程苏魏吕丁任沈姚卢钟姜崔谭陆"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰凤珍荣志红文斌海燕春梅林波辉鹏飞宇浩晨欣怡佳琳雪婷俊"
CENTRES = {  # city centre (latitude, longitude) of the packs' cities
    "320400": (31.8107, 119.9741),  # 常州
    "320900": (33.3479, 120.1636),  # 盐城
    "140500": (35.4908, 112.8514),  # 晋城
    "220100": (43.8171, 125.3235),  # 长春
    "310000": (31.2304, 121.4737),  # 上海
    "320500": (31.2990, 120.5853),  # 苏州
    "370481": (35.0848, 117.1654),  # 滕州
}
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Person:
    """A person as the city knows them; ``key`` finds them again in the masked listing."""

    resident_id: str
    name: str
    birth_date: date
    sex: str
    region_code: str
    scheme: str
    phone: str
    home: tuple[float, float]
    address: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.birth_date.isoformat(), self.resident_id[-4:])


class PeopleFactory:
    """Draws people from one seeded generator; resident IDs are unique by birth date and
    sequence number, so the masked ID and birth date find each person again."""

    def __init__(self, rng: random.Random, region: str, divisions: list[str], today: date):
        self.rng, self.divisions, self.today = rng, divisions or [region], today
        self.centre = CENTRES.get(region, (32.0, 119.0))
        self._taken: set[tuple[date, int]] = set()

    def birth_date(self, min_age: int, max_age: int) -> date:
        age_days = self.rng.randint(min_age * 365 + 1, max_age * 365 + 300)
        return self.today - timedelta(days=age_days)

    def resident_id(self, division: str, born: date, sex: str) -> str:
        while True:
            seq = self.rng.randrange(1, 999)
            if (seq % 2 == 1) != (sex == "M"):
                seq = seq + 1 if seq < 998 else seq - 1
            if (born, seq) not in self._taken:
                self._taken.add((born, seq))
                break
            born += timedelta(days=1)
        first17 = f"{division}{born:%Y%m%d}{seq:03d}"
        return first17 + resident_id_check_char(first17)

    def name(self) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"

    def near(self, point: tuple[float, float], metres: float) -> tuple[float, float]:
        """A point within ``metres`` of ``point`` (uniform over the disc)."""
        r = metres * math.sqrt(self.rng.random())
        angle = self.rng.uniform(0, 2 * math.pi)
        lat = point[0] + r * math.cos(angle) / METRES_PER_DEGREE
        lon = point[1] + r * math.sin(angle) / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
        return (round(lat, 6), round(lon, 6))

    def person(self, min_age: int, max_age: int, home: tuple[float, float] | None = None) -> Person:
        sex = self.rng.choice("MF")
        born = self.birth_date(min_age, max_age)
        division = self.rng.choice(self.divisions)
        rid = self.resident_id(division, born, sex)
        age = (self.today - born).days // 365
        scheme = (
            "resident"
            if age < 18 or self.rng.random() < (0.6 if age >= 60 else 0.35)
            else ("employee")
        )
        spot = home or self.near(self.centre, 9_000)
        street = (
            f"{self.rng.choice('东西南北中')}{self.rng.choice(GIVEN)}路{self.rng.randint(1, 399)}号"
        )
        return Person(
            rid,
            self.name(),
            date.fromisoformat(f"{rid[6:10]}-{rid[10:12]}-{rid[12:14]}"),
            sex,
            division,
            scheme,
            self.phone(),
            spot,
            street,
        )

    def uscc(self, division: str, kind: str) -> str:
        head = "52" if kind != "medical" else "12"
        body = "".join(self.rng.choice(USCC_CHARSET[:10]) for _ in range(8))
        first17 = f"{head}{division}{body}{self.rng.choice(USCC_CHARSET)}"
        return first17 + uscc_check_char(first17)

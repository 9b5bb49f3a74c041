"""reference data: the 17 oblasts and 3 cities of republican significance

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 13:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# code, Kazakh, Russian, English (GLOSSARY.md)
REGIONS = [
    ("abai", "Абай облысы", "Абайская область", "Abai Region"),
    ("akmola", "Ақмола облысы", "Акмолинская область", "Akmola Region"),
    ("aktobe", "Ақтөбе облысы", "Актюбинская область", "Aktobe Region"),
    ("almaty-region", "Алматы облысы", "Алматинская область", "Almaty Region"),
    ("atyrau", "Атырау облысы", "Атырауская область", "Atyrau Region"),
    ("west-kazakhstan", "Батыс Қазақстан облысы", "Западно-Казахстанская область", "West Kazakhstan Region"),
    ("zhambyl", "Жамбыл облысы", "Жамбылская область", "Zhambyl Region"),
    ("zhetisu", "Жетісу облысы", "область Жетісу", "Zhetisu Region"),
    ("karaganda", "Қарағанды облысы", "Карагандинская область", "Karaganda Region"),
    ("kostanay", "Қостанай облысы", "Костанайская область", "Kostanay Region"),
    ("kyzylorda", "Қызылорда облысы", "Кызылординская область", "Kyzylorda Region"),
    ("mangystau", "Маңғыстау облысы", "Мангистауская область", "Mangystau Region"),
    ("pavlodar", "Павлодар облысы", "Павлодарская область", "Pavlodar Region"),
    ("north-kazakhstan", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область", "North Kazakhstan Region"),
    ("turkistan", "Түркістан облысы", "Туркестанская область", "Turkistan Region"),
    ("ulytau", "Ұлытау облысы", "область Ұлытау", "Ulytau Region"),
    ("east-kazakhstan", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область", "East Kazakhstan Region"),
    ("astana", "Астана қаласы", "город Астана", "Astana"),
    ("almaty", "Алматы қаласы", "город Алматы", "Almaty"),
    ("shymkent", "Шымкент қаласы", "город Шымкент", "Shymkent"),
]

regions = sa.table(
    "regions",
    sa.column("code", sa.String),
    sa.column("name_kk", sa.String),
    sa.column("name_ru", sa.String),
    sa.column("name_en", sa.String),
)


def upgrade() -> None:
    op.bulk_insert(
        regions, [dict(code=c, name_kk=kk, name_ru=ru, name_en=en) for c, kk, ru, en in REGIONS]
    )


def downgrade() -> None:
    op.execute(regions.delete().where(regions.c.code.in_([r[0] for r in REGIONS])))

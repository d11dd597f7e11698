"""Names for the fictional city: districts, people, streets and services (Arabic first).

The English forms are transliterations of the Arabic, so the two always name the same thing.
"""

from __future__ import annotations

# (Arabic, English) for the districts, listed from the old centre outwards: codes are given
# in order of distance from the centre, so D01 is the old town.
DISTRICT_NAMES: tuple[tuple[str, str], ...] = (
    ("البلدة القديمة", "Al-Balda al-Qadima"),
    ("السوق الكبير", "Al-Souq al-Kabir"),
    ("باب الفرج", "Bab al-Faraj"),
    ("حي الزيتون", "Hay al-Zaytoun"),
    ("الشيخ مقصود", "Al-Sheikh Maqsoud"),
    ("حي النور", "Hay al-Nour"),
    ("الصالحية", "Al-Salihiyya"),
    ("حي الياسمين", "Hay al-Yasmin"),
    ("حي الميدان", "Hay al-Midan"),
    ("باب النصر", "Bab al-Nasr"),
    ("حي الرمان", "Hay al-Rumman"),
    ("تل الزعتر", "Tal al-Zaatar"),
    ("حي الجامعة", "Hay al-Jamia"),
    ("عين التينة", "Ain al-Tina"),
    ("حي السلام", "Hay al-Salam"),
    ("الكرامة", "Al-Karama"),
    ("حي الشهباء", "Hay al-Shahba"),
    ("بستان القصر", "Bustan al-Qasr"),
    ("حي النخيل", "Hay al-Nakhil"),
    ("المحطة", "Al-Mahatta"),
    ("حي الربيع", "Hay al-Rabie"),
    ("حي الفردوس", "Hay al-Firdaws"),
    ("الحمدانية", "Al-Hamdaniyya"),
    ("حي الأندلس", "Hay al-Andalus"),
    ("جسر الحجر", "Jisr al-Hajar"),
    ("حي الورود", "Hay al-Wurud"),
    ("المشارقة", "Al-Mashariqa"),
    ("حي البساتين", "Hay al-Basatin"),
    ("الجميلية", "Al-Jamiliyya"),
    ("حي الصناعة", "Hay al-Sinaa"),
)

# Given names by sex and family names by citizenship group, (Arabic script, Latin script).
# Afghan names are Dari names, written in Arabic script as they would be on a local form.
GIVEN_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "male": (
        ("محمد", "Mohammad"), ("أحمد", "Ahmad"), ("خالد", "Khaled"), ("عمر", "Omar"),
        ("يوسف", "Youssef"), ("إبراهيم", "Ibrahim"), ("مصطفى", "Mustafa"), ("حسن", "Hasan"),
        ("علي", "Ali"), ("محمود", "Mahmoud"), ("سامر", "Samer"), ("بلال", "Bilal"),
        ("فراس", "Firas"), ("عبد الله", "Abdullah"), ("طارق", "Tareq"), ("حامد", "Hamed"),
    ),
    "female": (
        ("فاطمة", "Fatima"), ("مريم", "Maryam"), ("زينب", "Zainab"), ("نور", "Nour"),
        ("هبة", "Hiba"), ("رنا", "Rana"), ("ليلى", "Layla"), ("سارة", "Sara"),
        ("آمنة", "Amina"), ("ياسمين", "Yasmin"), ("دعاء", "Duaa"), ("خديجة", "Khadija"),
        ("رقية", "Ruqayya"), ("سلمى", "Salma"), ("شيماء", "Shaimaa"), ("ملاك", "Malak"),
    ),
}

FAMILY_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "syrian": (
        ("الحلبي", "Al-Halabi"), ("الشامي", "Al-Shami"), ("الأحمد", "Al-Ahmad"),
        ("العلي", "Al-Ali"), ("الحمصي", "Al-Homsi"), ("قباني", "Qabbani"),
        ("الإدلبي", "Al-Idlibi"), ("الخطيب", "Al-Khatib"), ("السيد", "Al-Sayed"),
        ("الحسن", "Al-Hasan"),
    ),
    "iraqi": (
        ("الموصلي", "Al-Mosuli"), ("البغدادي", "Al-Baghdadi"), ("الجبوري", "Al-Jubouri"),
        ("العبيدي", "Al-Obeidi"), ("الدليمي", "Al-Dulaimi"), ("التكريتي", "Al-Tikriti"),
    ),
    "afghan": (
        ("أحمدزي", "Ahmadzai"), ("رحيمي", "Rahimi"), ("حيدري", "Haidari"),
        ("نوري", "Nouri"), ("كريمي", "Karimi"), ("صديقي", "Siddiqi"),
    ),
    "other_foreign": (
        ("عبدي", "Abdi"), ("حسيني", "Hosseini"), ("النجار", "Al-Najjar"),
        ("عثمان", "Osman"), ("خان", "Khan"), ("اليمني", "Al-Yamani"),
    ),
}

# No street may contain a district name: addresses are matched to districts by name.
STREETS: tuple[str, ...] = (
    "شارع الجلاء", "شارع الحرية", "شارع بغداد", "شارع القدس", "شارع المدارس",
    "شارع الكورنيش", "شارع الجامع", "شارع السكة", "شارع الفرات", "شارع النيل",
)

# Service-point types: id, English and Arabic label.
SERVICE_TYPES: tuple[tuple[str, str, str], ...] = (
    ("welcome_centre", "Welcome Centre", "مركز الترحيب"),
    ("migrant_support_centre", "Migrant Support Centre", "مركز دعم المهاجرين"),
    ("legal_aid", "Legal Aid Office", "مكتب المساعدة القانونية"),
    ("health_centre", "Health Centre", "المركز الصحي"),
    ("language_school", "Language School", "مدرسة اللغة"),
    ("employment_office", "Employment Office", "مكتب التشغيل"),
    ("community_centre", "Community Centre", "المركز المجتمعي"),
)

"""Shape signals of the precision gate (see builders/qasnowball/gate.py): does the answer look like what its
class says? jieba tags roads, districts, leagues and fish families `nr` (person) and a bus or a religion
`ns` (place); spaCy tags a river PERSON; a number that names a thing ("articles 9 and 10", "the 180
Freeway") is asked how many. None of these is keyed to a word of a sample: each is a shape (a suffix, a
neighbouring noun, a word boundary) that the right class would not have.
"""
from __future__ import annotations

import re

__all__ = ["zh_shape_gate", "en_shape_gate"]

# single-character surnames (the common ones) and the compound ones
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛"
    "邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝"
    "路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
    "全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚"
    "鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮"
    "都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元"
    "束檀衣信展阴昝智幸奉植衡富尧闭由")
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "司徒", "夏侯", "宇文", "长孙")
# characters of transliterated foreign names (斯克里普斯, 佩特鲁齐): a long name made only of these is a name
_TRANSLIT = set("阿埃艾爱安奥巴拜班邦包保贝本比彼毕波伯博布查达戴丹道德迪蒂丁东杜顿多厄恩尔法菲费芬佛弗福盖"
                "冈戈格葛古哈海汉豪赫亨胡华霍基吉加贾杰金卡凯坎康柯科克肯库拉莱兰朗劳勒雷里理利莉林琳卢鲁路伦"
                "罗洛马迈麦曼梅门蒙米明莫姆穆纳娜奈南内尼涅努诺欧帕潘佩皮珀普齐奇乔切琴丘萨塞赛桑瑟森沙莎尚舍"
                "什施史斯松苏索塔泰坦汤特提廷图托瓦万旺威韦维温沃乌西希谢辛休雅亚扬耶伊因英尤于约泽扎詹兹佐")
# an organisation/place/thing suffix no name ends in, and ones some names end in (马超, 孙中山): those need
# a surname first
_ZH_NOT_NAME = re.compile(r"(区|县|市|省|道|路|街|巷|湖|河|科|属|目|纲|队|会|联|部|局|院|所|厂|司|社|团|党|军|帮|派|"
                          r"教|站|港|湾|州|岛|馆|寺|庙|宫|园|桥|村|镇|乡|国|城|门|线|号|厅|公园|公司|大学|学校)$")
_ZH_WEAK_NOT_NAME = re.compile(r"(山|江|海|超|林|峰|洲|台|楼|堂|城|谷|关)$")
# a place shape: a suffix of a place, or a country/region word without one
_ZH_PLACE_SUFFIX = re.compile(r"(省|市|县|区|镇|乡|村|州|洲|国|岛|山|河|湖|江|海|湾|港|城|京|站|路|街|道|巷|岭|峰|"
                              r"峡|谷|原|川|泉|洋|池|口|门|关|寺|庙|宫|园|楼|馆|桥|塔|府|郡|都|堡|亚|兰|部|方|边|"
                              r"地|境|盆地|平原|高原|沙漠|半岛|群岛|地区|一带|附近|外|内|里|中|上|下|东|西|南|北|"
                              r"坡|滩|湾|津|屯|庄|营|寨|坝|沟|溪|洞|坊|弄|厦|场|驿|潭|渡|埠|堤|岸|田|陵|丘|泊)$")
_ZH_ADDRESS = re.compile(r"[省市县区州国].+")   # an address (香港岛东区大潭): a place unit inside
_ZH_PLACE_WORDS = set(
    "日本 印度 埃及 巴西 俄罗斯 意大利 加拿大 西班牙 墨西哥 澳门 西藏 新疆 重庆 伦敦 巴黎 纽约 罗马 越南 朝鲜 "
    "蒙古 印尼 新加坡 广东 广西 福建 江苏 安徽 山东 山西 陕西 甘肃 宁夏 四川 贵州 辽宁 吉林 内蒙古 台湾 香港 九龙 "
    "新界 北京 上海 柏林 莫斯科 维也纳 芝加哥 洛杉矶 东京 大阪 首尔 曼谷 悉尼 阿根廷 智利 秘鲁 古巴 伊朗 伊拉克 "
    "以色列 土耳其 希腊 瑞士 瑞典 挪威 丹麦 比利时 葡萄牙 奥地利 匈牙利 捷克 南极 北极 中东 欧美 华盛顿 波士顿 "
    "费城 旧金山 温哥华 多伦多 墨尔本 曼彻斯特 利物浦 米兰 威尼斯 慕尼黑 汉堡 法兰克福 马德里 巴塞罗那 里斯本 "
    "雅典 开罗 孟买 德里 加尔各答 河内 马尼拉 雅加达 台北 高雄 澳洲 欧陆 大陆 内地 当地 本地 海外 各地 全球 世界 "
    "天下 民间 乡下 故乡 家乡 老家 国外 国内 境内 境外 沿海 沿岸 边疆 海南 云南 河南 湖南 湖北 河北 东北 华北 华南 "
    "华东 西北 西南 江南 岭南 闽南 苏北 陕北 江西 广州 深圳 天津 南京 杭州 武汉 成都 西安 长沙 沈阳 大连 青岛 厦门 "
    "拉萨 澳大利亚 新西兰 荷兰 波兰 芬兰 爱尔兰 苏格兰 英格兰 乌克兰 非洲 欧洲 亚洲 美洲 大洋洲".split())
_ZH_CREED = re.compile(r"(^伊斯兰|教$|主义$|^基督|^穆斯林|^佛|^儒|^道家|^天主|^犹太)")
_ZH_PLACE_WH = {"哪里", "哪儿", "何地", "什么地方"}
_ZH_NUM_WH = {"几", "多少"}
_ZH_CLASSIFIER = "个种出位座家部条所名只件本首项支间台辆艘架门场批道片张头匹把根块层段封扇面股阵场届次趟番"
_ZH_ORDINAL = re.compile(rf"^(第[0-9零〇一二三四五六七八九十百千两]+|一[{_ZH_CLASSIFIER}])$")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def _person_shaped(t: str) -> bool:
    """2-4 Han characters or a surname first, no place/organisation suffix (a surname lets 山/江/超 end a
    name: 孙中山, 马超); or a foreign name (parts joined by ·, or a long transliteration)."""
    if "·" in t or "•" in t:
        return all(_HAN.match(p) for p in re.split(r"[·•]", t) if p)
    if not _HAN.match(t) or _ZH_NOT_NAME.search(t):
        return False
    surname = t[0] in _SURNAMES or t.startswith(_COMPOUND_SURNAMES)
    if _ZH_WEAK_NOT_NAME.search(t) and not surname:
        return False
    return 2 <= len(t) <= 4 or (surname and len(t) <= 4) or all(c in _TRANSLIT for c in t)


def _zh_tokens(context: str, lo: int, hi: int) -> list[tuple[str, int, int, str]]:
    """jieba's words of context[lo:hi] with offsets into context and POS flags."""
    import jieba
    import jieba.posseg as pseg

    jieba.setLogLevel(60)
    out, pos = [], lo
    for pair in pseg.cut(context[lo:hi]):
        out.append((pair.word, pos, pos + len(pair.word), pair.flag))
        pos += len(pair.word)
    return out


def _cut_span(t: str, context: str, start: int) -> bool:
    """The span's edge cuts a word: a jieba word runs across it, or the Han character beside it is a
    one-character noun that forms a dictionary word with the span's edge character (即|金|华山: 金华)."""
    import jieba

    end = start + len(t)
    lo, hi = max(start - 12, 0), min(end + 12, len(context))
    toks = _zh_tokens(context, lo, hi)
    for w, s, e, _ in toks:
        if (s < start < e) or (s < end < e):
            return True
    freq = jieba.dt.FREQ
    for w, s, e, flag in toks:
        if len(w) == 1 and _HAN.match(w) and flag.startswith("n") and len(t) >= 2 and \
                ((e == start and freq.get(w + t[0])) or (s == end and freq.get(t[-1] + w))):
            return True
    return False


def zh_shape_gate(text: str, context: str, start: int, cls: str, asked: set[str]) -> str | None:
    """The Chinese shape signal that makes this answer's class doubtful, or None."""
    t = text.strip()
    if not t:
        return None
    if cls == "PER" and "谁" in asked and not _person_shaped(t):
        return "zh_person_shape"
    if asked & _ZH_PLACE_WH and _ZH_CREED.search(t):
        return "zh_creed"
    if cls == "LOC" and asked & _ZH_PLACE_WH and not _ZH_PLACE_SUFFIX.search(t) and t not in _ZH_PLACE_WORDS \
            and not _ZH_ADDRESS.search(t[1:]):
        return "zh_place_shape"
    if asked & _ZH_NUM_WH and _ZH_ORDINAL.match(t):
        return "zh_ordinal"
    if cls in ("PER", "LOC", "ORG", "OTHER") and _HAN.match(t) and _cut_span(t, context, context.find(t, start)
                                                                           if context[start:start + len(t)] != t
                                                                           else start):
        return "zh_cut_span"
    return None


# nouns a number after them identifies ("articles 9 and 10", "Flight 93", "No. 5"), and ones a number
# before them names ("the 180 Freeway", "the 41 freeway")
_ID_BEFORE = re.compile(r"\b(articles?|sections?|chapters?|clauses?|paragraphs?|amendments?|routes?|highways?|"
                        r"freeways?|interstates?|flights?|numbers?|no\.|nos\.|rooms?|platforms?|gates?|pages?|"
                        r"volumes?|vol\.|exits?|channels?|lines?|buses|bus|tracks?|pier|terminal|apollo|"
                        r"level|grade|size|model|type|version|phase|stage|district|ward|precinct|unit|"
                        r"figure|fig\.|table|psalms?|verses?|opus|op\.|symphony|no)\s+"
                        r"(?:\d{1,4}[a-z]?\s*(?:,|and|or|&|to|-|–)\s*)*$", re.I)
_ID_AFTER = re.compile(r"^\s+(freeway|highway|expressway|motorway|interstate|route|parkway|turnpike|bus|tram|"
                       r"line|flight|squadron|regiment|division|battalion|corps|amendment|avenue|street)\b(?!s)",
                       re.I)
_WATER_BEFORE = re.compile(r"\b(lower|upper|middle|mouth\s+of\s+the|banks?\s+of\s+the|course\s+of\s+the|along\s+the|"
                           r"across\s+the|up\s+the|down\s+the|the\s+river)\s+$", re.I)
_WATER_AFTER = re.compile(r"^(?:'s)?\s+(river|rivers|flowed|flows|flow|flowing|rises|drains|drained|empties|"
                          r"emptied|discharges|meanders|basin|delta|valley|estuary|tributary|tributaries|"
                          r"catchment|watershed|floodplain|branch|mouth|banks)\b", re.I)


def en_shape_gate(text: str, context: str, start: int, cls: str, asked: set[str]) -> str | None:
    """The English shape signal that makes this answer's class doubtful, or None."""
    t = text.strip()
    before, after = context[max(start - 40, 0):start], context[start + len(text):start + len(text) + 40]
    if "how many" in asked and re.fullmatch(r"\d{1,4}[a-z]?", t) and (_ID_BEFORE.search(before) or
                                                                      _ID_AFTER.match(after)):
        return "identifier_number"
    if cls == "PER" and (_WATER_BEFORE.search(before) or _WATER_AFTER.match(after)):
        return "water_person"
    return None

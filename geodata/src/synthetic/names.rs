//! Name lists for the synthetic city: districts, streets, compounds and owners in the
//! style of a northern Chinese city, romanised so files stay ASCII.

/// District names (at most this many districts are generated).
pub(super) const DISTRICTS: [&str; 12] = [
    "Dongcheng",
    "Xicheng",
    "Chaoyang",
    "Haidian",
    "Fengtai",
    "Shijingshan",
    "Tongzhou",
    "Changping",
    "Daxing",
    "Shunyi",
    "Mentougou",
    "Fangshan",
];

/// Roots of street names.
pub(super) const STREET_ROOTS: [&str; 40] = [
    "Heping",
    "Jianshe",
    "Renmin",
    "Zhongshan",
    "Dongfeng",
    "Chang'an",
    "Guangming",
    "Shengli",
    "Jiefang",
    "Minzhu",
    "Wenhua",
    "Xingfu",
    "Qingnian",
    "Gongren",
    "Hongqi",
    "Xinhua",
    "Yong'an",
    "Taiping",
    "Fuxing",
    "Anding",
    "Deshengmen",
    "Chaoyangmen",
    "Dongzhimen",
    "Xizhimen",
    "Andingmen",
    "Guangqu",
    "Jinsong",
    "Panjiayuan",
    "Tuanjiehu",
    "Hujialou",
    "Baiwanzhuang",
    "Ganjiakou",
    "Zizhuyuan",
    "Weigongcun",
    "Xueyuan",
    "Huayuan",
    "Beiyuan",
    "Nanyuan",
    "Majiapu",
    "Caihuying",
];

/// Suffixes of north-south streets.
pub(super) const NS_SUFFIXES: [&str; 3] = ["Road", "Street", "North Street"];
/// Suffixes of east-west streets.
pub(super) const EW_SUFFIXES: [&str; 3] = ["Avenue", "Hutong", "West Road"];

/// Roots of compound names.
pub(super) const COMPOUND_ROOTS: [&str; 24] = [
    "Heping",
    "Jinsong",
    "Tuanjiehu",
    "Hujialou",
    "Baiwanzhuang",
    "Ganjiakou",
    "Zizhuyuan",
    "Huayuan",
    "Beiyuan",
    "Fangzhuang",
    "Puhuangyu",
    "Shuangjing",
    "Jinsong",
    "Hepingli",
    "Anzhen",
    "Huixin",
    "Yayuncun",
    "Pingguoyuan",
    "Lugu",
    "Gucheng",
    "Balizhuang",
    "Liulitun",
    "Sanlitun",
    "Maizidian",
];

/// Suffixes of compound names.
pub(super) const COMPOUND_SUFFIXES: [&str; 8] = [
    "Beili", "Nanli", "Dongli", "Xili", "Jiayuan", "Xiaoqu", "Xincun", "Yuan",
];

/// Owners of pipeline works, by utility in `Utility::ALL` order.
pub(super) const UTILITY_OWNERS: [&[&str]; 7] = [
    &["City Waterworks Group"],
    &["City Drainage Group"],
    &["City Drainage Group"],
    &["State Grid City Electric Power"],
    &["City Gas Group"],
    &["City District Heating Group"],
    &[
        "China Telecom",
        "China Unicom",
        "China Mobile",
        "China Tower",
    ],
];

/// Contractors for site works.
pub(super) const CONTRACTORS: [&str; 8] = [
    "Urban Renewal Construction No. 1",
    "Urban Renewal Construction No. 2",
    "City Housing Repair Co.",
    "Capital Building Engineering",
    "Jingcheng Landscaping",
    "Northern Energy Retrofit Co.",
    "Huadu Decoration Engineering",
    "Xinda Municipal Works",
];

//! Word lists of the corpus grammar: six news topics with stock phrases, names, places.

/// The vocabulary of one news topic.
pub(super) struct Topic {
    pub(super) nouns: &'static str,
    pub(super) adjectives: &'static str,
    pub(super) verbs: &'static str,
    pub(super) orgs: &'static str,
    pub(super) stock: &'static [&'static str],
}

pub(super) const TOPICS: &[Topic] = &[
    Topic {
        nouns: "election ballot campaign coalition parliament vote candidate referendum party \
                minister cabinet opposition reform senate mandate constituency poll budget",
        adjectives: "disputed narrow early provisional contested landmark snap federal regional \
                     divisive sweeping rival",
        verbs: "announce approve reject delay oppose support question endorse challenge count \
                 overturn postpone certify",
        orgs: "the Electoral Commission|the Liberal Party|the National Assembly|the Supreme Court|\
               the Ministry of Interior|the Green Alliance",
        stock: &[
            "Polls opened at seven in the morning and closed at eight in the evening",
            "The opposition accused the government of using state resources for its campaign",
            "Turnout was expected to be lower than in the previous election",
            "Observers from the regional security organization said the vote was largely orderly",
        ],
    },
    Topic {
        nouns: "missile warship drone border troops treaty arsenal alliance exercise sanctions \
                frigate deployment ceasefire radar convoy garrison",
        adjectives: "naval covert strategic joint hypersonic disputed military armed tactical \
                     unmanned offensive defensive",
        verbs: "deploy purchase intercept patrol launch supply station test modernize withdraw \
                 reinforce escort",
        orgs: "the Ministry of Defense|the Pentagon|NATO|the Navy|the Coast Guard|\
               the Joint Chiefs of Staff",
        stock: &[
            "officials said on condition of anonymity because they were not authorized to speak publicly",
            "The ministry of defense said in a statement that the exercises were routine",
            "Analysts said the move could escalate tensions in the South China Sea",
            "The agreement had been under negotiation for several years",
        ],
    },
    Topic {
        nouns: "inflation rate bank market currency export tariff deficit bond investor growth \
                recession loan yield stock shares earnings",
        adjectives: "central quarterly annual sluggish volatile record foreign domestic fiscal \
                     monetary benchmark weak",
        verbs: "raise cut forecast report lower boost slow stabilize tighten ease revise \
                 attract",
        orgs: "the Central Bank|the Finance Ministry|the International Monetary Fund|\
               the World Bank|the Stock Exchange|the Treasury",
        stock: &[
            "Economists polled by the agency had expected a smaller increase",
            "The figures were released by the national statistics office on Tuesday",
            "Markets in Asia closed mostly higher after the announcement",
            "The currency weakened against the dollar in early trading",
        ],
    },
    Topic {
        nouns: "flood drought storm harvest emissions forest river heatwave wildfire coast \
                glacier reservoir crop rainfall pollution typhoon",
        adjectives: "severe seasonal coastal tropical arid renewable extreme unprecedented \
                     rural low-lying carbon toxic",
        verbs: "evacuate restore flood damage protect monitor reduce plant measure warn \
                 predict rebuild",
        orgs: "the Meteorological Agency|the Environment Ministry|the Red Cross|\
               the Disaster Management Authority|Greenpeace|the United Nations",
        stock: &[
            "Thousands of residents were moved to temporary shelters overnight",
            "Scientists have linked the rising frequency of such events to climate change",
            "Rescue teams were still searching for people reported missing",
            "The authorities warned that more heavy rain was expected later in the week",
        ],
    },
    Topic {
        nouns: "hospital vaccine outbreak patients virus clinic doctors trial vaccination \
                infections medicine nurses epidemic treatment diagnosis ward",
        adjectives: "clinical infectious public contagious experimental chronic rural \
                     emergency preventive viral medical national",
        verbs: "treat vaccinate test isolate confirm recommend approve hospitalize screen \
                 trace contain distribute",
        orgs: "the World Health Organization|the Health Ministry|Doctors Without Borders|\
               the Centers for Disease Control|the Medical Association|the National Hospital",
        stock: &[
            "Health officials urged residents to wash their hands and avoid crowded places",
            "The number of confirmed cases has doubled in the past two weeks",
            "Hospitals in the capital said they were running short of beds",
            "The vaccine was shown to be safe and effective in clinical trials",
        ],
    },
    Topic {
        nouns: "platform data startup regulator privacy chips software network users \
                algorithm satellite smartphone app cloud servers breach",
        adjectives: "digital encrypted mobile artificial online broadband semiconductor \
                     open-source quantum wireless automated secure",
        verbs: "launch acquire block regulate hack encrypt develop integrate license ban \
                 upgrade expand",
        orgs: "the Communications Authority|the Data Protection Office|\
               the Competition Commission|the Telecom Regulator|the Cyber Security Agency|\
               the Technology Ministry",
        stock: &[
            "The company did not respond to a request for comment",
            "The new rules will take effect at the beginning of next year",
            "Critics say the law gives the government too much power over the internet",
            "Shares of the company rose sharply after the announcement",
        ],
    },
];

pub(super) const FIRST: &str = "Anna Ben Chen Dmitri Elena Farid Grace Hiroshi Ines Jamal Kim Lars Maria \
                     Nguyen Olga Pedro Quynh Rahul Sara Tomas Uma Victor Wei Xavier Yusuf Zara";
pub(super) const LAST: &str = "Smith Tran Garcia Ivanov Müller Rossi Okafor Haddad Kowalski Santos Nakamura \
                    Larsen Dubois Novak Petrova Silva Kaya Lindqvist Moreau Haas Lê Phạm";
pub(super) const PLACES: &str = "Hanoi|Hà Nội|São Paulo|Zürich|Bogotá|Kraków|Reykjavík|Nairobi|Jakarta|\
                      Manila|Ankara|Lima|Oslo|Cairo|Dhaka|Quito|Tbilisi|Montréal|Düsseldorf|Accra";
pub(super) const ROLES: &str = "a spokesman|a senior analyst|the director|a professor|an adviser|\
                     a researcher|the deputy minister|a local official";
pub(super) const DAYS: &str = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday";
pub(super) const MONTHS: &str = "January February March April May June July August September October \
                      November December";
pub(super) const GENERAL_ADJ: &str = "new major local senior former recent large small key initial final \
                           controversial significant";

/// The words of a space-separated list.
pub(super) fn words(list: &'static str) -> Vec<&'static str> {
    list.split_whitespace().collect()
}

/// The items of a `|`-separated list.
pub(super) fn items(list: &'static str) -> Vec<&'static str> {
    list.split('|').map(str::trim).collect()
}

/// Naive past tense of a regular verb.
pub(super) fn past(verb: &str) -> String {
    if verb.ends_with('e') {
        format!("{verb}d")
    } else if verb.ends_with('y') && !verb.ends_with("ay") && !verb.ends_with("ey") {
        format!("{}ied", &verb[..verb.len() - 1])
    } else {
        format!("{verb}ed")
    }
}

/// Lines that sites add around an article.
pub(super) const BOILERPLATE: &[&str] = &[
    "Share this article on Facebook and Twitter",
    "© 2024 The Daily Planet. All rights reserved.",
    "Subscribe to our newsletter for the latest news.",
    "Click here to read more stories like this.",
    "Follow us on Telegram.",
];

/**
 * Build-time only: each agenda target in the seed's own words. `labelFr` is the sentence that sets the
 * target and `valueText` the value as the seed prints it ("doubler", "un tiers", "plus de la moitié"),
 * where the catalog writes a compact English reading ("x2", "≈1/3", ">50"). Every fragment must appear
 * on the target's cited lines (derive-from-catalog.ts checks it and fails otherwise); a target stated in
 * two places gives one fragment per place, joined with " … ".
 */
export interface TargetWords {
  labelFr: string | string[];
  valueText: string | string[];
}

export const targetWords: Record<string, TargetWords> = {
  T_STUDENTS_2030: {
    labelFr:
      "L'objectif sera d'augmenter le nombre d'étudiants, notamment issus du territoire, de 20% à l'horizon 2030",
    valueText: "20%",
  },
  T_150_INNOV: {
    labelFr:
      "La Métropole garantira l'accompagnement et l'ancrage territorial de 150 entreprises innovantes / an de l'idée à la mise en production.",
    valueText: "150",
  },
  T_PEPITE: {
    labelFr:
      "accompagner la trajectoire de développement du pôle « Pépité Provence » qui propose de passer de 80 à 500 étudiants sensibilisés, formés ou accompagnés au sein des sites universitaires.",
    valueText: "de 80 à 500",
  },
  T_DIRIGEABLES_2028: {
    labelFr: "L'ancrage, d'ici 2028, de la nouvelle filière industrielle des « dirigeables » à Istres",
    valueText: "L'ancrage",
  },
  T_HENRI_FABRE_2017: {
    labelFr: "Avec un objectif de création de 7.000 emplois à 10 ans",
    valueText: "7.000",
  },
  T_DECARB_INVEST: {
    labelFr:
      "L'ambition métropolitaine est d'accompagner la dynamique des acteurs locaux pour atteindre 10 M€ d'ingénierie et 1 Md€ d'investissements privés et dédiés à la décarbonation de l'industrie à l'horizon 2030.",
    valueText: "10 M€ d'ingénierie et 1 Md€ d'investissements privés",
  },
  T_GREEN_PROCUREMENT: {
    labelFr:
      "La Métropole inclura d'ici 2025 des considérations environnementales dans 100 % des marchés notifiés.",
    valueText: "100 %",
  },
  T_SOCIAL_PROCUREMENT: {
    labelFr:
      "La Métropole inclura d'ici 2025 des considérations sociales dans 30 % des marchés notifiés au cours de l'année.",
    valueText: "30 %",
  },
  T_SOLIDARITY_PURCHASES: {
    labelFr: [
      "Réaliser 5 % des achats métropolitains auprès d'entreprises solidaires.",
      "La délibération du SPASER en octobre 2021 affiche l'ambition de réaliser 5% des achats auprès d'entreprises solidaires.",
    ],
    valueText: "5 %",
  },
  T_FONCIERE_COMMERCES: {
    labelFr:
      "la Métropole Aix-Marseille-Provence souhaite gagner le pari de la redynamisation des centres-villes métropolitains, notamment en créant une foncière capable d'intervenir sur 100 commerces d'ici 2026",
    valueText: "100 commerces",
  },
  T_CIRCUITS_COURTS: {
    labelFr:
      "L'objectif est, qu'à l'horizon 2030, plus de la moitié des exploitations agricoles pratiquent les circuits courts",
    valueText: "plus de la moitié",
  },
  T_PLIE_92: {
    labelFr:
      "en accompagnant l'évolution des PLIE, vers une perspective de coaching et d'intermédiation avec l'entreprise à l'échelle des 92 communes à partir de 2023.",
    valueText: "à l'échelle des 92 communes",
  },
  T_CREM: {
    labelFr:
      "Il visera l'accompagnement de 2000 entreprises par an, pour le maintien ou la création de 8000 emplois à l'horizon 2027.",
    valueText: "2000 entreprises par an, pour le maintien ou la création de 8000 emplois",
  },
  T_10_PROJECTS_100M: {
    labelFr:
      "L'objectif sera de susciter et d'accompagner 10 projets d'investissements privés supérieurs à 100 M€, structurants pour le territoire à l'horizon 2030.",
    valueText: "10 projets d'investissements privés supérieurs à 100 M€",
  },
  T_ZA_ASSOCIATIONS: {
    labelFr:
      "La Métropole souhaite que chaque zone de plus de 2000 emplois (environ 200 entreprises) soit dotée d'une association dédiée ou couverte par une association ou une représentation",
    valueText: "chaque zone de plus de 2000 emplois",
  },
  T_PT_DOUBLE: {
    labelFr:
      "L'ambition du plan de déplacement de la Métropole est de doubler d'ici 2030 l'usage des transports en commun",
    valueText: "doubler",
  },
  T_BIKE_7: {
    labelFr: "d'atteindre 7% de déplacements en vélos et favoriser la décarbonation des mobilités",
    valueText: "7%",
  },
  T_ZFE: {
    labelFr:
      "d'élaborer un schéma départemental d'infrastructures de recharge pour véhicules électriques (IRVE) ; d'assurer la transition verte des cars et bus ; de mettre en place une zone à faible émissions mobilité (ZFE-m) sur le centre-ville de Marseille",
    valueText: "mettre en place une zone à faible émissions mobilité (ZFE-m)",
  },
  T_PDME_DOUBLE: {
    labelFr: "Objectif sera de doubler le nombre de salariés concernés par des PDME.",
    valueText: "doubler",
  },
  T_ZA_TC_100: {
    labelFr: "il s'agira de connecter 100 % des nouvelles zones d'activité aux transports en commun",
    valueText: "100 %",
  },
  T_LAND_700HA: {
    labelFr:
      "requalifier l'équivalent de 700 ha supplémentaires pour l'économie productive d'ici à 2027, visant 50% minimum de reconversion, requalification, densification",
    valueText: "700 ha supplémentaires pour l'économie productive d'ici à 2027, visant 50% minimum",
  },
  T_DOFIE_1450: {
    labelFr:
      "les besoins de développement de l'économie productive ont été évalués en 2017 à 1450 hectares à l'horizon 2032.",
    valueText: "1450 hectares",
  },
  T_OFFICE: {
    labelFr:
      "L'objectif est d'atteindre 200 000 m² de demande placée, avec une production moyenne annuelle de 80 000 m², pour l'immobilier tertiaire, favorisant le renouvellement urbain dans les centres-villes métropolitains.",
    valueText: "200 000 m² de demande placée, avec une production moyenne annuelle de 80 000 m²",
  },
  T_PARCPLUS: {
    labelFr: "avec l'objectif de doubler le nombre de ZAE labellisées parc+",
    valueText: "doubler",
  },
  T_THD_100: {
    labelFr:
      "Poursuivre les efforts sur la connexion THD pour atteindre l'objectif global d'accéder à la THD sur 100 % du territoire",
    valueText: "100 %",
  },
  T_OAZIP_LOGISTICS: {
    labelFr:
      "La logistique internationale poursuivra son développement selon les orientations d'aménagement dites « OAZIP » du GPMM : 100 ha de logistique vont être développés dans la zone de Distriport et 100 autres ha d'ici 2030.",
    valueText: "100 ha de logistique vont être développés dans la zone de Distriport et 100 autres ha",
  },
  T_MIRAMAS_2025: {
    labelFr:
      "La modernisation de la gare de triage de Miramas d'ici à en 2025, avec notamment le renouvellement de 11 voies et 18 aiguillages",
    valueText: "11 voies et 18 aiguillages",
  },
  T_CONGRESS_FILM: {
    labelFr:
      "La Métropole ambitionne de s'ancrer durablement à la 1ère place nationale pour l'organisation de congrès hors Paris, et conforter Aix-Marseille-Provence comme la 1ère place de tournages de films hors Paris.",
    valueText: "1ère place",
  },
  T_INTL_ORGS: {
    labelFr: "L'objectif est d'implanter 5 organismes internationaux d'ici 2030.",
    valueText: "5",
  },
  T_AFRICA_RANK: {
    labelFr:
      "la Métropole confortera son rang de 1re destination nationale pour les projets économiques et les investissements liés à l'Afrique hors Paris.",
    valueText: "1re destination nationale",
  },
  T_EU_FUNDS: {
    labelFr:
      "L'ambition affichée dans ce cadre est de mobiliser, sur la période 2021-2027, un montant global de 100M€ pour le financement des politiques et opérations portées par la Métropole.",
    valueText: "100M€",
  },
  T_CLIMATE_NEUTRAL_2050: {
    labelFr:
      "La Métropole accompagnera ainsi les filières et les entreprises dans leur transition vers un territoire climatiquement neutre à 2050.",
    valueText: "climatiquement neutre",
  },
  T_INDUSTRY_SHARE: {
    labelFr:
      "tout en maintenant la part d'emplois du territoire liés à l'industrie (un tiers de l'emploi salarié privé)",
    valueText: "un tiers",
  },
  T_ESR_INVEST: {
    labelFr: [
      "en programmant 43 millions d'euros d'investissement",
      "portant à 43 M€ ses intentions d'investissement sur la période 2022 – 2028, comprenant 35,15M€ au titre du CPER 2021 – 2027.",
    ],
    valueText: "43 M€ ses intentions d'investissement sur la période 2022 – 2028, comprenant 35,15M€",
  },
  T_PIN_2_0: {
    labelFr:
      "Provence Industry'Nov vise à accueillir et accompagner 10 à 15 porteurs de projets industriels et/ou innovants par an",
    valueText: "10 à 15",
  },
  T_SMART_METROPOLE: {
    labelFr: [
      "Développement d'une plateforme Smart City et réalisation de 6 cas d'usages dans le champ des compétences métropolitaines et du monitoring urbain environnemental",
      "Une centaine d'équipements connectés (capteurs) vont être déployés",
    ],
    valueText: ["6 cas d'usages", "Une centaine d'équipements connectés (capteurs)"],
  },
  T_CFE: {
    labelFr:
      "première Métropole de France à exonérer de CFE durant 2 à 7 ans les entreprises souhaitant agrandir leur établissement installé dans l'une des 92 communes, ou toute nouvelle entreprise venant s'installer sur le territoire métropolitain.",
    valueText: "durant 2 à 7 ans",
  },
  T_ZAN: {
    labelFr: [
      "La Loi Biodiversité fixe l'objectif « zéro artificialisation nette » à 2050",
      "La Loi Climat et Résilience confirme la ZAN, et fixe l'objectif de division par 2 du rythme d'artificialisation d'ici 2030.",
    ],
    valueText: [
      "« zéro artificialisation nette » à 2050",
      "division par 2 du rythme d'artificialisation d'ici 2030",
    ],
  },
};

"""Words the sample generator draws from: names, cities, company words, titles, per country.

Plain data only: the generator in ``sample.py`` combines it. Tables stay one row a line.
"""

# ruff: noqa: E501

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    """How people and companies of one country look: names, language, phones, legal forms."""

    code: str
    weight: float
    # (language, weight): Belgium and Switzerland speak several.
    languages: tuple[tuple[str, float], ...]
    timezone: str
    # A phone pattern: "#" is a random digit, the rest is kept.
    phones: tuple[str, ...]
    legal_forms: tuple[str, ...]
    cities: tuple[str, ...]
    regions: tuple[str, ...] = ()


# Weights follow a French scale-up's base: France first, then its European markets.
COUNTRIES = (
    Country("FR", 55.0, (("fr", 1.0),), "Europe/Paris",
            ("+33 1 ## ## ## ##", "+33 4 ## ## ## ##", "+33 6 ## ## ## ##", "+33 2 ## ## ## ##", "+33 7 ## ## ## ##"),
            ("SAS", "SA", "SARL"),
            ("Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Bordeaux", "Lille", "Strasbourg", "Rennes", "Grenoble", "Montpellier", "Nice", "Rouen", "Tours", "Dijon", "Annecy", "Clermont-Ferrand", "Le Mans"),
            ("Atlantique", "Rhône-Alpes", "Provence", "Bretagne", "Normandie", "Alsace", "Occitanie", "Méditerranée", "Val de Loire", "Île-de-France", "Aquitaine", "Bourgogne")),
    Country("DE", 10.0, (("de", 1.0),), "Europe/Berlin",
            ("+49 30 ########", "+49 89 #######", "+49 40 ########", "+49 69 ########", "+49 171 #######"),
            ("GmbH", "AG", "GmbH & Co. KG"),
            ("Berlin", "München", "Hamburg", "Köln", "Frankfurt", "Stuttgart", "Düsseldorf", "Leipzig", "Dortmund", "Bremen", "Hannover", "Nürnberg", "Dresden"),
            ("Nord", "Süd", "Rhein", "Main", "Bayern", "Sachsen", "Westfalen", "Baden")),
    Country("ES", 6.0, (("es", 1.0),), "Europe/Madrid",
            ("+34 91# ### ###", "+34 93# ### ###", "+34 96# ### ###", "+34 6## ### ###"),
            ("S.L.", "S.A."),
            ("Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Zaragoza", "Málaga", "Alicante", "Valladolid", "Vigo"),
            ("Ibérica", "Levante", "Cantábrica", "Mediterránea", "Atlántica", "Norte")),
    Country("IT", 6.0, (("it", 1.0),), "Europe/Rome",
            ("+39 02 #### ####", "+39 06 #### ####", "+39 011 ### ####", "+39 3## ### ####"),
            ("S.p.A.", "S.r.l."),
            ("Milano", "Roma", "Torino", "Bologna", "Firenze", "Napoli", "Genova", "Verona", "Padova", "Bergamo", "Brescia"),
            ("Lombarda", "Adriatica", "Tirrenica", "Padana", "Toscana", "Veneta")),
    Country("BE", 5.0, (("nl", 0.58), ("fr", 0.42)), "Europe/Brussels",
            ("+32 2 ### ## ##", "+32 3 ### ## ##", "+32 9 ### ## ##", "+32 4## ## ## ##"),
            ("SA/NV", "SRL/BV"),
            ("Bruxelles", "Antwerpen", "Gent", "Liège", "Charleroi", "Namur", "Leuven", "Brugge", "Mons"),
            ("Benelux", "Wallonie", "Vlaanderen", "Brabant", "Ardennes")),
    Country("NL", 4.0, (("nl", 1.0),), "Europe/Amsterdam",
            ("+31 20 ### ####", "+31 10 ### ####", "+31 30 ### ####", "+31 6 ## ## ## ##"),
            ("B.V.", "N.V."),
            ("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven", "Den Haag", "Groningen", "Tilburg", "Breda", "Arnhem"),
            ("Holland", "Randstad", "Noord", "Zuid", "Delta")),
    # +44 20 7946 0xxx is Ofcom's range reserved for fiction.
    Country("GB", 4.0, (("en", 1.0),), "Europe/London",
            ("+44 20 7946 0###", "+44 161 496 0###", "+44 117 496 0###", "+44 7700 900###"),
            ("Ltd", "plc"),
            ("London", "Manchester", "Birmingham", "Leeds", "Bristol", "Glasgow", "Edinburgh", "Liverpool", "Sheffield", "Cambridge", "Oxford"),
            ("Northern", "Thames", "Pennine", "Midlands", "Wessex", "Caledonian")),
    Country("CH", 3.0, (("de", 0.65), ("fr", 0.27), ("it", 0.08)), "Europe/Zurich",
            ("+41 44 ### ## ##", "+41 22 ### ## ##", "+41 61 ### ## ##", "+41 79 ### ## ##"),
            ("AG", "SA", "GmbH"),
            ("Zürich", "Genève", "Basel", "Lausanne", "Bern", "Luzern", "Lugano", "St. Gallen"),
            ("Helvetia", "Alpina", "Léman", "Jura", "Ticino")),
    Country("PL", 2.0, (("pl", 1.0),), "Europe/Warsaw",
            ("+48 22 ### ## ##", "+48 12 ### ## ##", "+48 71 ### ## ##", "+48 5## ### ###"),
            ("sp. z o.o.", "S.A."),
            ("Warszawa", "Kraków", "Wrocław", "Poznań", "Gdańsk", "Łódź", "Katowice"),
            ("Polska", "Mazowsze", "Pomorze", "Śląsk", "Wielkopolska")),
    Country("PT", 2.0, (("pt", 1.0),), "Europe/Lisbon",
            ("+351 21 ### ####", "+351 22 ### ####", "+351 91# ### ###"),
            ("Lda.", "S.A."),
            ("Lisboa", "Porto", "Braga", "Coimbra", "Aveiro", "Faro"),
            ("Lusitana", "Atlântica", "Tejo", "Douro", "Minho")),
    Country("SE", 1.5, (("sv", 1.0),), "Europe/Stockholm",
            ("+46 8 ### ### ##", "+46 31 ### ## ##", "+46 70 ### ## ##"),
            ("AB",),
            ("Stockholm", "Göteborg", "Malmö", "Uppsala", "Linköping", "Västerås"),
            ("Norden", "Svea", "Skandia", "Göta", "Mälardalen")),
    Country("AT", 0.8, (("de", 1.0),), "Europe/Vienna",
            ("+43 1 ### ####", "+43 316 ######", "+43 664 #######"),
            ("GmbH", "AG"),
            ("Wien", "Graz", "Linz", "Salzburg", "Innsbruck"),
            ("Alpen", "Donau", "Tirol", "Steiermark")),
    Country("IE", 0.4, (("en", 1.0),), "Europe/Dublin",
            ("+353 1 ### ####", "+353 21 ### ####", "+353 87 ### ####"),
            ("Ltd", "DAC"),
            ("Dublin", "Cork", "Galway", "Limerick"),
            ("Emerald", "Atlantic", "Shannon", "Liffey")),
    Country("DK", 0.3, (("da", 1.0),), "Europe/Copenhagen",
            ("+45 ## ## ## ##",),
            ("A/S", "ApS"),
            ("København", "Aarhus", "Odense", "Aalborg"),
            ("Nordisk", "Jylland", "Sjælland", "Øresund")),
)  # fmt: skip

# (male first names, female first names, last names), by country and language (country alone
# as a fallback). Polish surnames ending in -ski/-cki take -ska/-cka for women (see sample.py).
PEOPLE: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "FR": (
        ("Jean", "Pierre", "Nicolas", "Julien", "Thomas", "Antoine", "Sébastien", "Laurent", "Olivier", "Mathieu", "Guillaume", "Romain", "Alexandre", "François", "Philippe", "Vincent", "Maxime", "Hugo", "Lucas", "Benoît", "Christophe", "Éric", "David", "Stéphane", "Arnaud", "Damien", "Cédric", "Fabien", "Jérôme", "Yann", "Baptiste", "Quentin"),
        ("Marie", "Sophie", "Claire", "Camille", "Julie", "Céline", "Nathalie", "Isabelle", "Émilie", "Aurélie", "Sandrine", "Caroline", "Laure", "Charlotte", "Manon", "Léa", "Chloé", "Pauline", "Anne", "Valérie", "Hélène", "Élodie", "Mathilde", "Audrey", "Virginie", "Delphine", "Agathe", "Inès", "Margaux", "Sarah", "Juliette", "Alice"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Perez", "Marchand", "Dufour", "Blanchard", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez", "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud", "Leclerc", "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Lacroix", "Fabre", "Dupuis", "Olivier", "Da Silva", "Hubert", "Rivière", "Le Gall", "Adam", "Rey", "Moulin", "Berger", "Lecomte", "Ménard", "Fleury", "Deschamps", "Carpentier", "Benoit", "Maillard", "Marchal", "Aubry", "Vasseur", "Le Roux", "Renault", "Jacquet", "Collet", "Prévost", "Poirier", "Charpentier", "Royer", "Huet", "Baron", "Dupuy", "Pons", "Carré", "Breton", "Rémy", "Schneider", "Perrot", "Guyot", "Barre", "Marty", "Cousin", "Benard", "Haddad", "Bensaïd", "Traoré"),
    ),
    "DE": (
        ("Thomas", "Michael", "Andreas", "Stefan", "Christian", "Markus", "Frank", "Jan", "Tobias", "Alexander", "Florian", "Matthias", "Daniel", "Sebastian", "Jörg", "Lukas", "Felix", "Jonas", "Moritz", "Philipp"),
        ("Anna", "Julia", "Katrin", "Sabine", "Petra", "Stefanie", "Claudia", "Laura", "Lena", "Nicole", "Sandra", "Christina", "Miriam", "Jana", "Lea", "Sarah", "Franziska", "Johanna"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann", "Köhler", "Vogel", "Yilmaz", "Kaiser"),
    ),
    "AT": (
        ("Thomas", "Michael", "Andreas", "Stefan", "Christian", "Markus", "Florian", "Matthias", "Lukas", "Dominik", "Bernhard", "Georg"),
        ("Anna", "Julia", "Katharina", "Sabine", "Elisabeth", "Stefanie", "Claudia", "Lisa", "Theresa", "Magdalena", "Barbara"),
        ("Gruber", "Huber", "Bauer", "Wagner", "Müller", "Pichler", "Steiner", "Moser", "Mayer", "Hofer", "Leitner", "Berger", "Fuchs", "Eder", "Fischer", "Schmid", "Winkler", "Weber"),
    ),
    "ES": (
        ("Javier", "Carlos", "David", "Alejandro", "Daniel", "Pablo", "Sergio", "Jorge", "Miguel", "Álvaro", "Raúl", "Antonio", "Manuel", "Iván", "Adrián", "Rubén"),
        ("María", "Laura", "Lucía", "Marta", "Ana", "Carmen", "Paula", "Cristina", "Elena", "Sara", "Raquel", "Beatriz", "Nuria", "Silvia", "Irene", "Alba"),
        ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Álvarez", "Muñoz", "Romero", "Alonso", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Serrano", "Castillo", "Ortega"),
    ),
    "IT": (
        ("Marco", "Alessandro", "Andrea", "Luca", "Matteo", "Francesco", "Giuseppe", "Davide", "Stefano", "Paolo", "Simone", "Lorenzo", "Federico", "Giovanni", "Riccardo", "Nicola"),
        ("Giulia", "Francesca", "Chiara", "Sara", "Valentina", "Elena", "Martina", "Alessia", "Federica", "Silvia", "Laura", "Elisa", "Paola", "Anna", "Roberta", "Serena"),
        ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso"),
    ),
    "BE-nl": (
        ("Pieter", "Jan", "Koen", "Wouter", "Bart", "Tom", "Jeroen", "Stijn", "Bram", "Joris", "Dries", "Kevin"),
        ("Lotte", "Els", "An", "Hanne", "Ine", "Sofie", "Lien", "Elke", "Katrien", "Nele", "Eline", "Annelies"),
        ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet", "Vermeulen", "Van den Broeck", "Hermans", "Michiels", "Desmet", "Declercq", "De Clercq", "Pauwels", "Van Damme", "Verstraete"),
    ),
    "BE-fr": (
        ("Maxime", "Nicolas", "Olivier", "Thomas", "Lucas", "Arnaud", "Julien", "François", "Benoît", "Grégory", "Cédric", "Quentin"),
        ("Marie", "Sophie", "Julie", "Charlotte", "Laura", "Élise", "Nathalie", "Emma", "Aurélie", "Caroline", "Stéphanie", "Amandine"),
        ("Dubois", "Lambert", "Dupont", "Martin", "Simon", "Leclercq", "Lemaire", "Renard", "Laurent", "Denis", "Lejeune", "Collard", "Gilson", "François", "Dumont", "Hardy", "Masson", "Delvaux", "Piron", "Wilmet"),
    ),
    "NL": (
        ("Jeroen", "Sander", "Bas", "Thijs", "Ruben", "Martijn", "Niels", "Joost", "Daan", "Tim", "Stijn", "Maarten", "Sven", "Robin"),
        ("Sanne", "Lotte", "Anouk", "Femke", "Eva", "Lisa", "Iris", "Marieke", "Esther", "Inge", "Fleur", "Noor", "Maaike", "Judith"),
        ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra"),
    ),
    "GB": (
        ("James", "Oliver", "William", "Thomas", "Daniel", "Matthew", "Andrew", "David", "Richard", "Christopher", "Samuel", "Benjamin", "Jack", "Harry", "Rajesh", "Mohammed"),
        ("Emma", "Sophie", "Charlotte", "Emily", "Hannah", "Olivia", "Lucy", "Rebecca", "Sarah", "Amy", "Laura", "Jessica", "Katherine", "Eleanor", "Priya", "Grace"),
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Hughes", "Edwards", "Turner", "Baker", "Patel", "Khan"),
    ),
    "IE": (
        ("Seán", "Conor", "Patrick", "Ciarán", "Liam", "Darragh", "Eoin", "Niall", "Cian", "Brian"),
        ("Aoife", "Siobhán", "Niamh", "Ciara", "Róisín", "Orla", "Sinéad", "Emma", "Saoirse", "Clodagh"),
        ("Murphy", "Kelly", "O'Sullivan", "Walsh", "Smith", "O'Brien", "Byrne", "Ryan", "O'Connor", "O'Neill", "McCarthy", "Doyle", "Gallagher", "Kennedy"),
    ),
    "CH-de": (
        ("Reto", "Urs", "Beat", "Lukas", "Marco", "Daniel", "Stefan", "Thomas", "Simon", "Patrick", "Adrian", "Roman"),
        ("Corinne", "Sandra", "Nicole", "Andrea", "Barbara", "Claudia", "Priska", "Martina", "Seraina", "Anna", "Regula", "Silvia"),
        ("Müller", "Meier", "Schmid", "Keller", "Weber", "Huber", "Meyer", "Schneider", "Steiner", "Fischer", "Gerber", "Brunner", "Baumann", "Frei", "Zimmermann", "Moser", "Widmer", "Wyss"),
    ),
    "CH-fr": (
        ("Jean", "Pierre", "Nicolas", "Olivier", "Laurent", "Yves", "Sébastien", "Cédric", "Frédéric", "Alain"),
        ("Marie", "Sophie", "Nathalie", "Isabelle", "Valérie", "Anne", "Sylvie", "Céline", "Aline", "Mélanie"),
        ("Favre", "Rochat", "Bonvin", "Perret", "Jaquet", "Berset", "Monnier", "Chappuis", "Rey", "Pittet", "Cuénod", "Jacot", "Girardet", "Morand"),
    ),
    "CH-it": (
        ("Marco", "Luca", "Andrea", "Paolo", "Fabio", "Sandro"),
        ("Giulia", "Francesca", "Chiara", "Sara", "Monica", "Daniela"),
        ("Bernasconi", "Bianchi", "Pedrazzini", "Rusconi", "Galli", "Ferrari", "Lepori", "Fontana"),
    ),
    "PL": (
        ("Piotr", "Krzysztof", "Tomasz", "Paweł", "Michał", "Marcin", "Jakub", "Łukasz", "Kamil", "Adam", "Marek", "Grzegorz"),
        ("Anna", "Katarzyna", "Magdalena", "Agnieszka", "Joanna", "Monika", "Aleksandra", "Marta", "Ewa", "Karolina", "Natalia", "Zofia"),
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Mazur", "Krawczyk", "Jankowski", "Wojciechowski"),
    ),
    "PT": (
        ("João", "Pedro", "Miguel", "Tiago", "Rui", "Nuno", "Ricardo", "André", "Bruno", "Hugo", "Diogo", "Gonçalo"),
        ("Ana", "Inês", "Catarina", "Mariana", "Sofia", "Joana", "Rita", "Beatriz", "Marta", "Sara", "Carolina", "Filipa"),
        ("Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins", "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques", "Almeida", "Ribeiro"),
    ),
    "SE": (
        ("Erik", "Lars", "Anders", "Johan", "Karl", "Mikael", "Per", "Oskar", "Gustav", "Fredrik", "Henrik", "Magnus"),
        ("Anna", "Emma", "Maria", "Sara", "Karin", "Elin", "Johanna", "Linnea", "Ida", "Sofia", "Malin", "Frida"),
        ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson", "Pettersson", "Lindberg", "Lindqvist", "Berg"),
    ),
    "DK": (
        ("Mads", "Rasmus", "Jens", "Søren", "Anders", "Mikkel", "Henrik", "Frederik", "Kasper", "Jesper"),
        ("Mette", "Camilla", "Louise", "Sofie", "Line", "Ida", "Maria", "Anne", "Signe", "Julie"),
        ("Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen", "Jørgensen", "Madsen", "Kristensen"),
    ),
}  # fmt: skip

# Words of a company's activity by language, per sector ("*": any sector): "Alpea Logistique".
ACTIVITY_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {
        "*": ("Groupe", "Services", "Solutions", "Conseil", "Partenaires"),
        "Industry": ("Industrie", "Mécanique", "Automatismes", "Matériaux", "Équipements", "Emballages", "Électronique"),
        "Retail": ("Distribution", "Commerce", "Boutiques", "Magasins"),
        "Banking & insurance": ("Finance", "Assurances", "Gestion privée", "Courtage"),
        "Healthcare": ("Santé", "Médical", "Biotech", "Pharma"),
        "Software": ("Informatique", "Technologies", "Logiciels", "Systèmes", "Data"),
        "Logistics": ("Logistique", "Transports", "Fret", "Entrepôts"),
        "Energy": ("Énergie", "Solaire", "Environnement", "Réseaux"),
        "Construction": ("Bâtiment", "Construction", "Travaux", "Immobilier"),
        "Agrifood": ("Agro", "Alimentaire", "Laiterie", "Vignobles", "Coopérative"),
        "Telecoms": ("Télécom", "Réseaux", "Fibre"),
        "Consulting": ("Conseil", "Stratégie", "Formation", "Audit"),
        "Automotive": ("Automobile", "Équipementier", "Mobilité"),
    },
    "de": {
        "*": ("Gruppe", "Dienstleistungen", "Partner", "Holding"),
        "Industry": ("Maschinenbau", "Anlagenbau", "Technik", "Werkzeuge", "Verpackung", "Elektronik"),
        "Retail": ("Handel", "Warenhaus", "Vertrieb"),
        "Banking & insurance": ("Finanz", "Versicherung", "Vermögen"),
        "Healthcare": ("Medizintechnik", "Pharma", "Gesundheit"),
        "Software": ("Software", "Systeme", "IT", "Data"),
        "Logistics": ("Logistik", "Spedition", "Transport"),
        "Energy": ("Energie", "Solar", "Netze"),
        "Construction": ("Bau", "Immobilien", "Haustechnik"),
        "Agrifood": ("Lebensmittel", "Molkerei", "Agrar"),
        "Telecoms": ("Telekom", "Netz", "Glasfaser"),
        "Consulting": ("Beratung", "Consulting", "Akademie"),
        "Automotive": ("Automotive", "Fahrzeugtechnik", "Mobilität"),
    },
    "es": {
        "*": ("Grupo", "Servicios", "Soluciones"),
        "Industry": ("Industrial", "Ingeniería", "Maquinaria"),
        "Retail": ("Distribución", "Comercial"),
        "Banking & insurance": ("Finanzas", "Seguros"),
        "Healthcare": ("Salud", "Farma"),
        "Software": ("Tecnología", "Sistemas", "Software"),
        "Logistics": ("Logística", "Transportes"),
        "Energy": ("Energía", "Renovables"),
        "Construction": ("Construcciones", "Inmobiliaria"),
        "Agrifood": ("Alimentación", "Agroalimentaria", "Bodegas"),
        "Consulting": ("Consultoría", "Asesores"),
        "Automotive": ("Automoción",),
    },
    "it": {
        "*": ("Gruppo", "Servizi", "Soluzioni"),
        "Industry": ("Industriale", "Meccanica", "Impianti"),
        "Retail": ("Distribuzione", "Commerciale"),
        "Banking & insurance": ("Finanza", "Assicurazioni"),
        "Healthcare": ("Salute", "Farmaceutica"),
        "Software": ("Tecnologie", "Sistemi", "Software"),
        "Logistics": ("Logistica", "Trasporti"),
        "Energy": ("Energia", "Rinnovabili"),
        "Construction": ("Costruzioni", "Edilizia"),
        "Agrifood": ("Alimentare", "Caseificio", "Cantine"),
        "Consulting": ("Consulenza",),
        "Automotive": ("Automotive", "Componenti"),
    },
    "nl": {
        "*": ("Groep", "Diensten", "Partners"),
        "Industry": ("Techniek", "Machinebouw", "Installatietechniek"),
        "Retail": ("Handel", "Winkels"),
        "Banking & insurance": ("Financieel", "Verzekeringen"),
        "Healthcare": ("Zorg", "Medisch"),
        "Software": ("Software", "Systemen", "IT"),
        "Logistics": ("Logistiek", "Transport"),
        "Energy": ("Energie",),
        "Construction": ("Bouw", "Vastgoed"),
        "Agrifood": ("Voeding", "Zuivel"),
        "Consulting": ("Advies",),
    },
    "en": {
        "*": ("Group", "Solutions", "Services", "Partners", "Holdings"),
        "Industry": ("Manufacturing", "Engineering", "Industries", "Components"),
        "Retail": ("Retail", "Stores", "Trading"),
        "Banking & insurance": ("Capital", "Insurance", "Finance"),
        "Healthcare": ("Health", "Medical", "Pharma", "Life Sciences"),
        "Software": ("Software", "Technologies", "Digital", "Labs", "Analytics"),
        "Logistics": ("Logistics", "Freight", "Transport"),
        "Energy": ("Energy", "Power", "Renewables"),
        "Construction": ("Construction", "Building", "Property"),
        "Agrifood": ("Foods", "Farms", "Dairy"),
        "Telecoms": ("Telecom", "Networks"),
        "Consulting": ("Consulting", "Advisory"),
        "Automotive": ("Automotive", "Motors", "Mobility"),
    },
    "pl": {"*": ("Grupa", "Usługi", "Systemy", "Technologie", "Logistyka", "Energia", "Doradztwo", "Budownictwo")},
    "pt": {"*": ("Grupo", "Serviços", "Sistemas", "Tecnologia", "Logística", "Energia", "Consultoria", "Engenharia")},
    "sv": {"*": ("Gruppen", "Teknik", "System", "Logistik", "Energi", "Konsult", "Bygg", "Industri")},
    "da": {"*": ("Gruppen", "Teknik", "Systemer", "Logistik", "Energi", "Rådgivning", "Byg", "Industri")},
}  # fmt: skip

# Syllables of invented brand names ("Novalia", "Tercore"), shared by every country.
BRAND_STARTS = ("Al", "Ber", "Cor", "Del", "El", "Fla", "Gal", "Hel", "Ka", "Lu", "Mo", "No", "Or", "Pa", "Ri", "Sa", "Ter", "Va", "Xe", "Ze", "Ar", "Bel", "Ca", "Dy", "Ev", "Lin", "Mer", "Ne", "Ob", "Qua", "Sil", "Tri", "Ul", "Ver", "Wa")  # fmt: skip
BRAND_MIDDLES = ("li", "na", "ve", "ro", "mi", "to", "sa", "di", "ra", "te", "", "lo", "ni", "co", "ma", "ri")  # fmt: skip
BRAND_ENDS = ("a", "is", "ys", "on", "ex", "ia", "eo", "um", "ea", "ine", "ix", "or", "us", "ance", "ity", "era", "ova", "ium")  # fmt: skip

SECTORS = (
    ("Industry", 18.0), ("Retail", 10.0), ("Banking & insurance", 8.0), ("Healthcare", 8.0),
    ("Software", 12.0), ("Logistics", 7.0), ("Energy", 5.0), ("Public sector", 5.0),
    ("Education", 4.0), ("Construction", 5.0), ("Agrifood", 5.0), ("Telecoms", 3.0),
    ("Consulting", 6.0), ("Automotive", 4.0),
)  # fmt: skip

# Sector-specific names for the countries that have them: "{city}", "{region}", "{brand}", "{last}".
SECTOR_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("fr", "Public sector"): ("Mairie de {city}", "Communauté d'agglomération de {city}", "Région {region}", "Métropole de {city}", "Conseil départemental {region}"),
    ("fr", "Education"): ("Université de {city}", "École {brand}", "Institut {brand}", "Lycée {last} de {city}", "{brand} Business School"),
    ("fr", "Healthcare"): ("Clinique {brand}", "Centre hospitalier de {city}", "Laboratoires {last}", "{brand} Santé", "Groupe hospitalier {region}"),
    ("fr", "Banking & insurance"): ("Banque {brand}", "{brand} Assurances", "Mutuelle {region}", "Crédit {region}", "Caisse {region}"),
    ("fr", "Retail"): ("Maison {last}", "{brand} Distribution", "Comptoir {region}", "Galeries {brand}"),
    ("de", "Public sector"): ("Stadt {city}", "Stadtwerke {city}", "Landratsamt {region}"),
    ("de", "Education"): ("Hochschule {city}", "Universität {city}", "{brand} Akademie"),
    ("de", "Healthcare"): ("Klinikum {city}", "{brand} Pharma", "Praxisklinik {last}"),
    ("de", "Banking & insurance"): ("{brand} Bank", "{brand} Versicherung", "Sparkasse {city}"),
    ("es", "Public sector"): ("Ayuntamiento de {city}", "Diputación de {city}"),
    ("es", "Education"): ("Universidad de {city}", "Escuela {brand}"),
    ("es", "Healthcare"): ("Hospital {brand}", "Clínica {last}"),
    ("it", "Public sector"): ("Comune di {city}", "Regione {region}"),
    ("it", "Education"): ("Università di {city}", "Politecnico di {city}"),
    ("it", "Healthcare"): ("Ospedale {brand}", "Clinica {last}"),
    ("en", "Public sector"): ("{city} City Council", "{region} County Council"),
    ("en", "Education"): ("University of {city}", "{brand} College"),
    ("en", "Healthcare"): ("{brand} Health", "{city} Medical Group"),
    ("nl", "Public sector"): ("Gemeente {city}", "Provincie {region}"),
}  # fmt: skip

SIZES = (("1-10", 14.0), ("11-50", 28.0), ("51-200", 26.0), ("201-500", 14.0), ("501-1000", 8.0), ("1000+", 10.0))  # fmt: skip

# French titles for French speakers (male form, female form), English ones elsewhere; weights
# favour marketing people, the audience of a marketing base.
TITLES_FR = (
    (("Directeur marketing", "Directrice marketing"), 9.0),
    (("Responsable marketing", "Responsable marketing"), 10.0),
    (("Responsable communication", "Responsable communication"), 7.0),
    (("Chef de projet digital", "Cheffe de projet digital"), 5.0),
    (("DSI", "DSI"), 3.0),
    (("Chargé de marketing", "Chargée de marketing"), 6.0),
    (("Responsable marketing digital", "Responsable marketing digital"), 6.0),
    (("Directeur commercial", "Directrice commerciale"), 5.0),
    (("Directeur général", "Directrice générale"), 4.0),
    (("CMO", "CMO"), 2.0),
    (("Head of Growth", "Head of Growth"), 2.0),
    (("Responsable acquisition", "Responsable acquisition"), 3.0),
    (("Chargé de communication", "Chargée de communication"), 5.0),
    (("Responsable des achats", "Responsable des achats"), 2.0),
    (("Directeur des opérations", "Directrice des opérations"), 2.0),
    (("Responsable e-commerce", "Responsable e-commerce"), 3.0),
    (("Responsable contenu", "Responsable contenu"), 3.0),
    (("Chef de produit marketing", "Cheffe de produit marketing"), 3.0),
    (("Business developer", "Business developer"), 3.0),
    (("Assistant marketing", "Assistante marketing"), 3.0),
    (("Gérant", "Gérante"), 2.0),
    (("Responsable CRM", "Responsable CRM"), 2.0),
    (("Directeur financier", "Directrice financière"), 1.0),
    (("Responsable RH", "Responsable RH"), 1.0),
)  # fmt: skip
TITLES_EN = (
    ("Marketing Director", 9.0), ("Head of Marketing", 8.0), ("Marketing Manager", 10.0),
    ("CMO", 3.0), ("Head of Growth", 3.0), ("Digital Marketing Manager", 6.0),
    ("Communications Manager", 6.0), ("Content Manager", 4.0), ("Demand Generation Manager", 3.0),
    ("Product Marketing Manager", 3.0), ("Marketing Operations Manager", 2.0), ("CRM Manager", 2.0),
    ("CIO", 2.0), ("IT Director", 2.0), ("Sales Director", 5.0), ("CEO", 3.0),
    ("Managing Director", 3.0), ("COO", 1.0), ("CFO", 1.0), ("Procurement Manager", 2.0),
    ("Business Development Manager", 4.0), ("E-commerce Manager", 3.0), ("Marketing Assistant", 3.0),
    ("Brand Manager", 3.0), ("HR Director", 1.0),
)  # fmt: skip

LIFECYCLE = (("subscriber", 42.0), ("lead", 36.0), ("mql", 8.0), ("sql", 6.0), ("opportunity", 4.5), ("customer", 3.5))  # fmt: skip
# Customers and opportunities are the most active people of a base, subscribers the least.
STAGE_ACTIVITY = {"subscriber": 0.75, "lead": 1.0, "mql": 1.9, "sql": 2.1, "opportunity": 2.3, "customer": 1.6}  # fmt: skip
SOURCES = (("website", 26.0), ("webinar", 18.0), ("ebook", 16.0), ("trade_show", 10.0), ("linkedin", 12.0), ("import", 12.0), ("referral", 6.0))  # fmt: skip
CONSENT_SOURCES = {
    "website": "Newsletter form", "webinar": "Webinar registration form", "ebook": "E-book download form",
    "trade_show": "Trade show badge scan", "linkedin": "LinkedIn lead form", "import": "CRM import",
    "referral": "Partner referral",
}  # fmt: skip
DO_NOT_CONTACT_REASONS = (
    "Asked on the phone not to be contacted again",
    "Competitor",
    "Legal request (GDPR objection)",
    "Left the company, e-mails bounce",
)

WEBINARS = (
    ("Industrie 4.0 : la maintenance prédictive en pratique", "Industry"),
    ("Retail : personnaliser le parcours en magasin", "Retail"),
    ("Banque et assurance : l'onboarding digital", "Banking & insurance"),
    ("Santé : digitaliser le parcours patient", "Healthcare"),
    ("SaaS : réussir son product-led growth", "Software"),
    ("Supply chain : visibilité de bout en bout", "Logistics"),
    ("Énergie : piloter la transition avec la donnée", "Energy"),
    ("Secteur public : moderniser la relation usager", "Public sector"),
    ("Marketing automation : les bases du lead scoring", None),
    ("ABM : cibler les comptes stratégiques", None),
    ("Smart factory: predictive maintenance in practice", "Industry"),
    ("Omnichannel retail in 2026", "Retail"),
)  # fmt: skip
EBOOKS = (
    "Le guide du lead scoring B2B",
    "Baromètre du marketing industriel 2026",
    "10 modèles d'e-mails de nurturing",
    "The B2B content recycling playbook",
    "Réussir ses webinaires de A à Z",
    "Account-based marketing: a starter kit",
    "Checklist RGPD pour les équipes marketing",
)
PAGES = ("/", "/tarifs", "/pricing", "/blog", "/cas-clients", "/demo", "/produit", "/webinaires", "/contact", "/ressources")  # fmt: skip
FORMS = ("Demande de démo", "Contact", "Newsletter", "Demande de devis")
MEETINGS = ("discovery", "demo", "negotiation", "quarterly review")

#!/usr/bin/python3
"""Synthetic agency person records with known truth, for the resolution
benchmarks until `rastro gen` provides people.

usage: gen_people.py N_PEOPLE DUP_RATE SEED OUT.csv [--hard]

Each person gets 1 + Poisson-ish duplicates (DUP_RATE records on average);
record_id is rec-<person>-<k> (FEBRL's encoding, so score.py applies).
Duplicates carry the variation real inter-agency records show: accents
dropped, nicknames (Pepe/José, Paco/Francisco...), the maternal surname
dropped or joined ("MartinezCruz"), given name and surname swapped, day and
month of birth swapped, typos, a different phone or address.  --hard raises
every rate (the setting where a summed Jaro-Winkler baseline falls below 0.9).
Names: half from common Mexican/Central American and U.S. surnames and
given names (the heads of public frequency lists), half from a synthetic
long tail of syllable-built names, as real surname distributions are
Zipf-shaped.
"""
import random
import sys

GIVEN_M = ["José", "Juan", "Luis", "Carlos", "Jesús", "Francisco", "Miguel", "Antonio", "Manuel", "Pedro",
           "Alejandro", "Jorge", "Ricardo", "Roberto", "Eduardo", "Fernando", "Ignacio", "Guillermo", "Rafael",
           "Enrique", "Alberto", "Javier", "Daniel", "Sergio", "Raúl", "Arturo", "Óscar", "Mario", "Víctor",
           "Héctor", "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
           "Charles"]
GIVEN_F = ["María", "Guadalupe", "Juana", "Margarita", "Dolores", "Rosa", "Ana", "Patricia", "Leticia",
           "Teresa", "Concepción", "Rosario", "Josefina", "Verónica", "Alejandra", "Gabriela", "Carmen",
           "Isabel", "Elena", "Silvia", "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara",
           "Susan", "Jessica", "Sarah", "Karen"]
SECOND = ["María", "José", "Luis", "Antonio", "Isabel", "Elena", "Fernanda", "Alberto", "Manuel", ""]
SURNAMES = ["Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez",
            "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Gutiérrez",
            "Ruiz", "Mendoza", "Aguilar", "Ortiz", "Moreno", "Castillo", "Romero", "Álvarez", "Méndez",
            "Chávez", "Rivera", "Juárez", "Ramos", "Domínguez", "Herrera", "Medina", "Castro", "Vargas",
            "Guzmán", "Velázquez", "Muñoz", "Rojas", "Contreras", "Salazar", "Luna", "Ortega", "Cortés",
            "Guerrero", "Estrada", "Bautista", "Peña", "de la Cruz", "del Río", "Santiago", "Núñez", "Ibáñez",
            "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
            "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis"]
NICK = {"José": ["Pepe", "Chepe"], "Francisco": ["Paco", "Pancho"], "Jesús": ["Chuy", "Chucho"],
        "Guadalupe": ["Lupe"], "Ignacio": ["Nacho"], "Dolores": ["Lola"], "Guillermo": ["Memo"],
        "Roberto": ["Beto"], "Alberto": ["Beto"], "Enrique": ["Quique"], "Rosario": ["Charo"],
        "Manuel": ["Manolo"], "Antonio": ["Toño"], "Eduardo": ["Lalo"], "Rafael": ["Rafa"],
        "Concepción": ["Concha"], "William": ["Bill", "Will"], "Robert": ["Bob"], "Richard": ["Rick"],
        "James": ["Jim"], "Michael": ["Mike"], "Elizabeth": ["Liz", "Beth"], "Joseph": ["Joe"],
        "Thomas": ["Tom"], "Charles": ["Charlie"], "Margarita": ["Margo"], "Josefina": ["Pepa"]}
STREETS = ["Calle Hidalgo", "Av. Juárez", "Calle 5 de Mayo", "Calle Morelos", "Av. Reforma", "Calle Allende",
           "Main St", "Oak St", "Mesa St", "Elm Ave", "Alameda Ave", "Montana Ave", "Dyer St", "Zaragoza Rd"]
CITIES = [("El Paso", "TX", "799"), ("Houston", "TX", "770"), ("Los Angeles", "CA", "900"),
          ("Ciudad Juárez", "CHIH", "320"), ("Tijuana", "BC", "220"), ("Guatemala", "GT", "010"),
          ("San Pedro Sula", "HN", "210"), ("Phoenix", "AZ", "850"), ("Chicago", "IL", "606")]
SYL = ["ba", "be", "ca", "co", "da", "de", "do", "fa", "ga", "go", "la", "le", "li", "lo", "ma", "me", "mi",
       "mo", "na", "ne", "no", "pa", "pe", "ra", "re", "ri", "ro", "sa", "se", "so", "ta", "te", "to", "va",
       "ve", "za", "zo", "ja", "ju", "ca", "qui", "gue", "llo", "rra", "ñe"]
ENDS = ["", "z", "s", "n", "l", "r", "ez", "es", "as", "on", "ado", "ero", "ino"]


def rare_surname(r):
    """A surname from the long tail: real surname lists are Zipf-shaped,
    a few very common names and a very long tail of rare ones."""
    w = "".join(r.choice(SYL) for _ in range(r.randint(2, 3))) + r.choice(ENDS)
    return w[0].upper() + w[1:]


def surname(r):
    return r.choice(SURNAMES) if r.random() < 0.5 else rare_surname(r)


def given_name(r, pool):
    if r.random() < 0.8:
        return r.choice(pool)
    return rare_surname(r)


STRIP = str.maketrans("áéíóúÁÉÍÓÚñÑü", "aeiouAEIOUnNu")


def typo(r, s):
    if len(s) < 3:
        return s
    i = r.randrange(len(s) - 1)
    op = r.randrange(4)
    if op == 0:
        return s[:i] + s[i + 1:]
    if op == 1:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if op == 2:
        return s[:i] + r.choice("aeioulnrst") + s[i + 1:]
    return s[:i] + r.choice("aeioulnrst") + s[i:]


def person(r, pid):
    sex = r.choice("MF")
    g = given_name(r, GIVEN_M if sex == "M" else GIVEN_F)
    g2 = r.choice(SECOND) if r.random() < 0.4 else ""
    city, region, zp = r.choice(CITIES)
    return {
        "given": (g + " " + g2).strip(), "g1": g, "sur": surname(r), "mat": surname(r)
        if r.random() < 0.7 else "", "sex": sex, "y": r.randint(1950, 2006), "m": r.randint(1, 12),
        "d": r.randint(1, 28), "street": r.choice(STREETS), "no": str(r.randint(1, 9999)), "city": city,
        "region": region, "zip": zp + "%02d" % r.randint(0, 99),
        "phone": "915%d%06d" % (r.randint(2, 9), r.randrange(10 ** 6)) if r.random() < 0.8 else "",
        "email": "", "id": "%09d" % r.randrange(10 ** 9) if r.random() < 0.3 else "",
    }


def variant(r, p, hard):
    q = dict(p)
    k = 2.0 if hard else 1.0
    if r.random() < 0.5 * k:
        q["given"] = q["given"].translate(STRIP)
        q["sur"] = q["sur"].translate(STRIP)
        q["mat"] = q["mat"].translate(STRIP)
    if q["g1"] in NICK and r.random() < 0.15 * k:
        q["given"] = r.choice(NICK[q["g1"]])
    if r.random() < 0.3 * k:
        q["mat"] = ""
    elif q["mat"] and r.random() < 0.05 * k:
        q["sur"], q["mat"] = (q["sur"] + q["mat"]).replace(" ", ""), ""
    if r.random() < 0.04 * k:
        q["given"], q["sur"] = q["sur"], q["given"]
    if r.random() < 0.08 * k and q["d"] <= 12:
        q["m"], q["d"] = q["d"], q["m"]
    for f in ("given", "sur", "street", "city"):
        if r.random() < 0.12 * k:
            q[f] = typo(r, q[f])
    if r.random() < 0.1 * k:
        q["y"] += r.choice((-1, 1))
    if r.random() < 0.15 * k:
        q["phone"] = "" if r.random() < 0.5 else "915%d%06d" % (r.randint(2, 9), r.randrange(10 ** 6))
    if r.random() < 0.2 * k:
        q["street"], q["no"] = r.choice(STREETS), str(r.randint(1, 9999))
    if r.random() < 0.05 * k:
        q["y"] = 0
    return q


def row(rid, q, r):
    if q["y"]:
        dob = ("%02d/%02d/%04d" % (q["d"], q["m"], q["y"])) if r.random() < 0.5 else "%04d-%02d-%02d" % (
            q["y"], q["m"], q["d"])
    else:
        dob = ""
    f = [rid, q["given"], q["sur"], q["mat"], dob, q["sex"], q["no"] + " " + q["street"], q["city"], q["region"],
         q["zip"], q["phone"], q["email"], q["id"]]
    return ",".join('"%s"' % x.replace('"', '""') if "," in x or '"' in x else x for x in f)


def main():
    n, rate, seed, out = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    hard = "--hard" in sys.argv
    r = random.Random(seed)
    with open(out, "w", encoding="utf-8") as f:
        f.write("record_id,given_name,surname,maternal_surname,dob,sex,address,city,region,postcode,phone,email,"
                "id_number\n")
        for pid in range(n):
            p = person(r, pid)
            f.write(row("rec-%d-org" % pid, p, r) + "\n")
            nd = 0
            while r.random() < rate / (1 + rate) and nd < 5:
                f.write(row("rec-%d-dup-%d" % (pid, nd), variant(r, p, hard), r) + "\n")
                nd += 1


if __name__ == "__main__":
    main()

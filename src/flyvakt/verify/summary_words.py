"""The words of verdict summaries (``verify.summary``) in en, nb and nn: one template per
sentence part, the same keys in each language."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "landed": "{who} landed at {place} {when}",
        "departed": "{who} took off from {place} {when}",
        "inferred": " (landing inferred, not observed directly)",
        "landed_in_reach": "{who} landed somewhere in {place} {when}: its last position was "
        "within reach of {codes} only, {all} in {place}; which one is not known",
        "landed_only": "{who} landed at {place} {when}: {code} was the only airport within "
        "reach of its last position; landing inferred, not observed",
        "both": "both",
        "every": "all",
        "inferred_takeoff": " (takeoff inferred, not observed directly)",
        "at_obs": "{when} {who} {verb} {state}",
        "seen_at": "; observed {when}",
        "ground": "on the ground at {place}",
        "ground_in": "on the ground in {place}",
        "ground_at": "on the ground at {place}",
        "air": "airborne over {place} at {alt} ft",
        "air_nowhere": "airborne outside any country's territory at {alt} ft",
        "was": "was",
        "were": "were",
        "all": "all {n} aircraft",
        "gap": "no position of {who} within {window} of {when}",
        "in_gap": "the time asked about ({when}) lies inside a coverage gap of {who} from "
        "{start} to {end} ({gap}); "
        "what happened in it is inferred, not observed, without evidence on both sides of the "
        "gap",
        "in_plain_gap": "the time asked about ({when}) lies inside a coverage gap of {who} from "
        "{start} to {end} ({gap}): no position in it, and no event decides the claim",
        "last": "; last seen {last_when} at {lat}, {lon}, {alt} ft",
        "need": "; positions around {when} are needed",
        "nodata": "no aircraft of the claim is in the data",
        "any": "any of the {n} aircraft",
        "unseen": "; {n} other aircraft of the fleet are not in the data within 24 hours: "
                  "{names}",
        "unseen_one": "; 1 other aircraft of the fleet is not in the data within 24 hours: "
                      "{names}",
        "more": "{names} and {n} more",
        "window": "between {start} and {end}",
        "avoided": "{window} {who} stayed out of the airspace of {country} (land and 12 NM "
                   "of sea), even counting what the coverage gaps could hide; closest approach "
                   "{closest}",
        "inside": "{who} {verb} in the airspace of {country} {when}, at {lat}, {lon}",
        "could": "{who} could have reached the airspace of {country} unseen between "
                 "{start} and {end} (a coverage gap of {gap}: from its last position before "
                 "the gap into the airspace of {country} and on to its first position after it "
                 "is at least {dist} NM, and the aircraft could fly {reach} NM in that time)",
        "could_after": "{who} could have reached the airspace of {country} unseen after its "
                       "last position {start_at}: the data has no position of it from then to "
                       "{end}, when the claim's time span ends ({gap}); {country} was {dist} NM "
                       "away, and the aircraft could fly {reach} NM in that time",
        "could_before": "{who} could have reached the airspace of {country} unseen before its "
                        "first position {end_at}: the data has no position of it from {start}, "
                        "when the claim's time span begins, until then ({gap}); {country} was "
                        "{dist} NM away, and the aircraft could fly {reach} NM in that time",
        "could_landing": "{who} could have reached the airspace of {country} unseen after its "
                         "last position {start_at}, before its inferred landing (up to {gap}); "
                         "{country} was {dist} NM away, and the aircraft could fly {reach} NM "
                         "in that time",
        "member_inside": "in the airspace of {country} {when}",
        "closest": "{who} {dist} NM {when}",
        "landed_inferred": " (the track ends in an inferred landing)",
        "now": " (no time was given: judged now, {when})",
        "end_of_data": " (no time was given: judged at the end of the data, {when})",
        "caveat": "ADS-B data shows where aircraft were, not who was on board.",
        "member": "{who}: {state}.",
        "member_gap": "{who}: no position near {when}.",
        "member_closest": "closest to {country} {dist} NM away, {when}",
    },
    "nb": {
        "landed": "{who} landet i {place} {when}",
        "departed": "{who} lettet fra {place} {when}",
        "inferred": " (landingen er utledet, ikke observert direkte)",
        "landed_in_reach": "{who} landet et sted i {place} {when}: siste posisjon var innen "
        "rekkevidde bare av {codes}, {all} i {place}; hvilken er ukjent",
        "landed_only": "{who} landet i {place} {when}: {code} var den eneste flyplassen innen "
        "rekkevidde av siste posisjon; landingen er utledet, ikke observert",
        "both": "begge",
        "every": "alle",
        "inferred_takeoff": " (avgangen er utledet, ikke observert direkte)",
        "at_obs": "{when} {verb} {who} {state}",
        "seen_at": "; observert {when}",
        "ground": "på bakken i {place}",
        "ground_in": "på bakken i {place}",
        "ground_at": "på bakken ved {place}",
        "air": "i lufta over {place} i {alt} fot",
        "air_nowhere": "i lufta utenfor alle lands territorium i {alt} fot",
        "was": "var",
        "were": "var",
        "all": "alle {n} flyene",
        "gap": "ingen posisjon for {who} innen {window} fra {when}",
        "in_gap": "{when} ligger i et hull i dekningen for {who} fra {start} til {end} ({gap}); "
        "det som skjedde i hullet er utledet, ikke observert, uten bevis på begge sider av "
        "hullet",
        "in_plain_gap": "{when} ligger i et hull i dekningen for {who} fra {start} til {end} "
        "({gap}): ingen posisjon i hullet, og ingen hendelse avgjør påstanden",
        "last": "; sist sett {last_when} ved {lat}, {lon}, {alt} fot",
        "need": "; posisjoner rundt {when} trengs",
        "nodata": "ingen fly i påstanden finnes i dataene",
        "any": "noen av de {n} flyene",
        "unseen": "; {n} andre fly i flåten finnes ikke i dataene innen 24 timer: {names}",
        "unseen_one": "; 1 annet fly i flåten finnes ikke i dataene innen 24 timer: {names}",
        "more": "{names} og {n} til",
        "window": "mellom {start} og {end}",
        "avoided": "{window} holdt {who} seg utenfor luftrommet til {country} (land og 12 "
                   "nautiske mil sjø), også når vi regner med det hullene i dekningen kan "
                   "skjule; nærmest kom {closest}",
        "inside": "{who} {verb} i luftrommet til {country} {when}, ved {lat}, {lon}",
        "could": "{who} kan ha nådd luftrommet til {country} usett mellom {start} og {end} "
                 "(hull i dekningen på {gap}: fra siste posisjon før hullet inn i luftrommet til "
                 "{country} og videre til første posisjon etter det er det minst {dist} "
                 "nautiske mil, og flyet kunne ha fløyet {reach} nautiske mil på den tiden)",
        "could_after": "{who} kan ha nådd luftrommet til {country} usett etter siste posisjon "
                       "{start_at}: dataene har ingen posisjon for flyet derfra til {end}, da "
                       "tidsrommet i påstanden slutter ({gap}); {country} var {dist} nautiske "
                       "mil unna, og flyet kunne ha fløyet {reach} nautiske mil på den tiden",
        "could_before": "{who} kan ha nådd luftrommet til {country} usett før første posisjon "
                        "{end_at}: dataene har ingen posisjon for flyet fra {start}, da tidsrommet "
                        "i påstanden begynner, til da ({gap}); {country} var {dist} nautiske mil "
                        "unna, og flyet kunne ha fløyet {reach} nautiske mil på den tiden",
        "could_landing": "{who} kan ha nådd luftrommet til {country} usett etter siste "
                         "posisjon {start_at}, før den utledede landingen (inntil {gap}); "
                         "{country} var {dist} nautiske mil unna, og flyet kunne ha fløyet "
                         "{reach} nautiske mil på den tiden",
        "member_inside": "i luftrommet til {country} {when}",
        "closest": "{who} {dist} nautiske mil {when}",
        "landed_inferred": " (sporet ender i en utledet landing)",
        "now": " (ingen tid oppgitt: vurdert nå, {when})",
        "end_of_data": " (ingen tid oppgitt: vurdert ved slutten av dataene, {when})",
        "caveat": "ADS-B-data viser hvor flyene var, ikke hvem som var om bord.",
        "member": "{who}: {state}.",
        "member_gap": "{who}: ingen posisjon rundt {when}.",
        "member_closest": "nærmest {country} {dist} nautiske mil unna, {when}",
    },
    "nn": {
        "landed": "{who} landa i {place} {when}",
        "departed": "{who} letta frå {place} {when}",
        "inferred": " (landinga er utleidd, ikkje observert direkte)",
        "landed_in_reach": "{who} landa ein stad i {place} {when}: siste posisjon var innanfor "
        "rekkjevidd berre av {codes}, {all} i {place}; kva for ein er ukjent",
        "landed_only": "{who} landa i {place} {when}: {code} var den einaste flyplassen "
        "innanfor rekkjevidd av siste posisjon; landinga er utleidd, ikkje observert",
        "both": "begge",
        "every": "alle",
        "inferred_takeoff": " (avgangen er utleidd, ikkje observert direkte)",
        "at_obs": "{when} {verb} {who} {state}",
        "seen_at": "; observert {when}",
        "ground": "på bakken i {place}",
        "ground_in": "på bakken i {place}",
        "ground_at": "på bakken ved {place}",
        "air": "i lufta over {place} i {alt} fot",
        "air_nowhere": "i lufta utanfor territoriet til alle land i {alt} fot",
        "was": "var",
        "were": "var",
        "all": "alle dei {n} flya",
        "gap": "ingen posisjon for {who} innanfor {window} frå {when}",
        "in_gap": "{when} ligg i eit hol i dekninga for {who} frå {start} til {end} ({gap}); "
        "det som hende i holet er utleidd, ikkje observert, utan prov på begge sider av holet",
        "in_plain_gap": "{when} ligg i eit hol i dekninga for {who} frå {start} til {end} "
        "({gap}): ingen posisjon i holet, og inga hending avgjer påstanden",
        "last": "; sist sett {last_when} ved {lat}, {lon}, {alt} fot",
        "need": "; posisjonar rundt {when} trengst",
        "nodata": "ingen fly i påstanden finst i dataa",
        "any": "nokon av dei {n} flya",
        "unseen": "; {n} andre fly i flåten finst ikkje i dataa innanfor 24 timar: {names}",
        "unseen_one": "; 1 anna fly i flåten finst ikkje i dataa innanfor 24 timar: {names}",
        "more": "{names} og {n} til",
        "window": "mellom {start} og {end}",
        "avoided": "{window} heldt {who} seg utanfor luftrommet til {country} (land og 12 "
                   "nautiske mil sjø), også når vi reknar med det hola i dekninga kan skjule; "
                   "nærast kom {closest}",
        "inside": "{who} {verb} i luftrommet til {country} {when}, ved {lat}, {lon}",
        "could": "{who} kan ha nådd luftrommet til {country} usett mellom {start} og {end} "
                 "(hol i dekninga på {gap}: frå siste posisjon før holet inn i luftrommet til "
                 "{country} og vidare til første posisjon etter det er det minst {dist} "
                 "nautiske mil, og flyet kunne ha flogi {reach} nautiske mil på den tida)",
        "could_after": "{who} kan ha nådd luftrommet til {country} usett etter siste posisjon "
                       "{start_at}: dataa har ingen posisjon for flyet derifrå til {end}, då "
                       "tidsrommet i påstanden sluttar ({gap}); {country} var {dist} nautiske "
                       "mil unna, og flyet kunne ha flogi {reach} nautiske mil på den tida",
        "could_before": "{who} kan ha nådd luftrommet til {country} usett før første posisjon "
                        "{end_at}: dataa har ingen posisjon for flyet frå {start}, då tidsrommet i "
                        "påstanden byrjar, til då ({gap}); {country} var {dist} nautiske mil "
                        "unna, og flyet kunne ha flogi {reach} nautiske mil på den tida",
        "could_landing": "{who} kan ha nådd luftrommet til {country} usett etter siste "
                         "posisjon {start_at}, før den utleidde landinga (inntil {gap}); "
                         "{country} var {dist} nautiske mil unna, og flyet kunne ha flogi "
                         "{reach} nautiske mil på den tida",
        "member_inside": "i luftrommet til {country} {when}",
        "closest": "{who} {dist} nautiske mil {when}",
        "landed_inferred": " (sporet endar i ei utleidd landing)",
        "now": " (inga tid oppgitt: vurdert no, {when})",
        "end_of_data": " (inga tid oppgitt: vurdert ved slutten av dataa, {when})",
        "caveat": "ADS-B-data viser kvar flya var, ikkje kven som var om bord.",
        "member": "{who}: {state}.",
        "member_gap": "{who}: ingen posisjon rundt {when}.",
        "member_closest": "nærast {country} {dist} nautiske mil unna, {when}",
    },
}  # fmt: skip

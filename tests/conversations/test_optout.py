from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cobranza.conversations.optout import find_opt_out, is_opt_out


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "Baja",
        "BAJA por favor",
        "BAJA hoy",
        "baja hoy mismo",
        "STOP ahora",
        "sair agora",
        "PARAR",
        "SAIR",
        "cancelar",
        "no me escriban más",
        "No me escriban mas!!",
        "dejen de mandarme mensajes",
        "no quiero recibir más mensajes",
        "não quero mais receber",
        "no me manden mas mensajes",
        "sáquenme de la lista",
        "quiero darme de baja",
        "paren de escribirme por favor",
        "no me molesten más",
        "ya no me escriban",
        "pare de me mandar mensagem",
        "me tire da lista",
        "dejá de escribirme",
        "stop 🛑",
        "cancelar suscripción",
        "nao me mandem mais",
        "basta de mensajes",
        "sacame de esta lista",
        "me tira dessa lista",
        "no me vuelvan a escribir",
        "por favor que no me vuelvan a mandar mensajes",
        "no deseo recibir más mensajes",
        "n quero mais mensagens",
        "no quiero q me escriban mas",
        "parar, abrazo",
        "no, mejor BAJA",
        "mejor baja",
        "no mejor baja gracias",
        "bueno, entonces STOP",
        "não, melhor descadastrar",
        "mejor BAJA 🙏",
        "no, mejor baja 👍",
        "não, melhor SAIR",
        "nao melhor sair obrigado",
        "no, mejor de baja",
        "no, más bien BAJA",
        "nah mejor BAJA",
        "no, prefiero BAJA",
    ],
)
def test_opt_out_detected(text: str) -> None:
    assert is_opt_out(text)


@pytest.mark.parametrize(
    "text",
    [
        "ya te paré la transferencia",
        "quiero cancelar la deuda",
        "no baja",
        "el monto no baja",
        "la deuda baja",
        "mejor más baja la cuota",
        "mejor baja?",
        "mejor cancelar",
        "no, mejor baja la cuota",
        "melhor sair da dívida",
        "melhor sair?",
        "não sair",
        "mejor de baja la cuota",
        "la cuota está más bien baja",
        "prefiero baja la cuota",
        "¿cómo hago para cancelar el saldo?",
        "me di de baja del servicio y me siguen cobrando",
        "quiero dar de baja el servicio",
        "vou sair para pagar",
        "no me mandaste el link",
        "no me llegó el mensaje",
        "no me escribió nadie",
        "no dejen de avisarme",
        "¿para cuándo vence?",
        "dejé de trabajar",
        "no me molesta pagar",
        "no quiero cuotas",
        "no me manden el link todavía",
        "no me escribas antes de las 9",
        "pasame el cbu para cancelar la deuda",
        "¿baja el monto si pago hoy?",
        "no me vuelvan a mandar el link que no anda",
        "si no me vuelven a escribir para el viernes, pago igual",
    ],
)
def test_not_opt_out(text: str) -> None:
    assert find_opt_out(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Dejjen de mandarme mensajes!!",
        "No quiero recivir más mensajes",
        "vaja",
        "bajja, saludos",
        "asirr",
        "Parr",
        "dar de abja",
        "Ya no me amnden mensajes",
        "sáquenme de la lsita",
        "cancelar suscripcionn",
        "bsta de mensajes",
        "No kiero más mensajes",
        "n quero mias receber",
        "canselar suscripción",
        "eliminen mi numro de su lista",
        "apren de mandarme mensajes",
    ],
)
def test_mistyped_opt_out_detected(text: str) -> None:
    assert is_opt_out(text)


@pytest.mark.parametrize(
    "text",
    ["jaja", "jaja qué más 👌 gracias", "cancelo", "para", "me quedé sin nada"],
)
def test_near_keyword_not_opt_out(text: str) -> None:
    assert find_opt_out(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ok dale. gracias!!… baja", "baja"),
        ("bom dia! sair, Ja fiz o pix", "sair"),
        ("hola. no me molesten 😅. El total está inflado", "no me molesten"),
        ("ya no me estén mandando mensajes", "no me esten mandando"),
    ],
)
def test_opt_out_clause_detected(text: str, expected: str) -> None:
    assert find_opt_out(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "para, ya te pagué",
        "vou sair, pago amanhã",
        "cancelar la deuda, ¿cómo hago?",
        "quiero cancelar, cuánto debo?",
        "dale, quedo atento",
    ],
)
def test_clause_without_stop_not_opt_out(text: str) -> None:
    assert find_opt_out(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Hoy no me escribas, ni mañana, ni nunca",
        "hoy no me escriban, ni nunca mas",
        "Hoje não me mande mensagem, nem amanhã, nem nunca mais",
    ],
)
def test_time_lifted_by_never_is_opt_out(text: str) -> None:
    assert is_opt_out(text)


@pytest.mark.parametrize(
    "text",
    [
        "Hoy no me escribas, mañana sí",
        "hoy no me escribas. ni mañana",
        "Hoje não me mande mensagem, nem amanhã",
        "hoy no me escriban. nunca estoy antes de las 10",
    ],
)
def test_time_limit_without_never_not_opt_out(text: str) -> None:
    assert find_opt_out(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "me tienen podrido con los mensajitos, córtenla",
        "Anulen mi alta en este servicio de avisos",
        "Quiero salir de estos envíos",
        "me hacen el favor y no me vuelven a mandar nada",
        "quiero desiscribirme de esto",
        "Pará con los mensajes, por favor",
        "no quiero saber más nada con estos mensajes",
    ],
)
def test_more_stop_wordings_detected(text: str) -> None:
    assert is_opt_out(text)


@pytest.mark.parametrize(
    "text",
    [
        "corten el débito automático",
        "quiero salir de la deuda",
        "quiero anular el alta del plan",
        "no quiero saber nada de intereses",
        "me describís el detalle?",
    ],
)
def test_more_look_alikes_not_opt_out(text: str) -> None:
    assert find_opt_out(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Revoco toda autorización para escribirme",
        "quiero revocar el consentimiento de tratamiento de mis datos",
        "les pido que me den de baja de los recordatorios",
        "Solicito excluir mi número de sus envíos",
        "Borradme de la lista",
        "sacadme ya",
        "Eliminad mi número de vuestra base, gracias",
        "no nos volváis a escribir",
        "No me escriban más por este medio, no voy a contestar",
        "no me mandís más mensajes weón",
        "ya no manden",
        "me quiero desafiliar… desafiliarme de estos avisos",
        "pido mi baja definitiva de sus envíos",
        "Parar estos mensajes",
        "baja inmediata",
        "Retírenme",
        "para de me contatar por favor",
        "me removam agora",
        "queria deixar de receber essas mensagens",
        "não me liguem mais",
        "Não me escrevam",
        "prefiro não receber mais mensagens",
        "NO. MÁS. MENSAJES. GRACIAS.",
    ],
)
def test_stop_request_other_forms(text: str) -> None:
    assert is_opt_out(text)


@pytest.mark.parametrize(
    "text",
    [
        "No me manden más nada al correo, por WhatsApp sí",
        "no me llamen al teléfono fijo, por acá está bien",
        "Que no me llame más ese señor, quiero otro asesor",
        "ahorita no me escriban, estoy manejando",
        "no me escriban hasta el lunes que cobro",
        "a partir de las 9 de la noche no me manden nada",
        "Todavía no me mandes el link, primero reviso",
        "Deje de mandarme el mismo comprobante",
        "Stop, espere: ¿cuánto es con intereses?",
        "No me manden mensajes al celular de mi marido",
        "Não mandem mensagem no número da minha mãe",
        "Por hoy basta de mensajes, el lunes hablamos",
        "Antes das 9 não me mandem nada",
        "quiero darme de baja de la fibra",
        "Parei de receber os lembretes, podem mandar de novo?",
        "no me den de baja, me sirven los avisos",
    ],
)
def test_limited_stop_not_opt_out(text: str) -> None:
    assert find_opt_out(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "mañana no me escriban, ni pasado, ni nunca",
        "hoy no me manden nada ni nunca más",
        "BAJA. Esperen mi denuncia",
        "Stop. Un segundo mensaje y los denuncio",
        "No me manden más mails. Tampoco por WhatsApp.",
        "dejen de llamarme y de escribirme por whatsapp",
        "que no me escriba más esta empresa",
        "no me manden más ese tipo de mensajes",
        "parad ya con los mensajes",
        "dejad de darme la lata con los mensajes",
    ],
)
def test_stop_despite_limit_words(text: str) -> None:
    assert is_opt_out(text)


@pytest.mark.parametrize(
    "text",
    [
        "a la noche no me escriban, nunca",
        "los sábados no me escriban, jamás",
        "hoy no me escriban. Nunca me dejan laburar",
        "Stop. Espera, ¿cuánto es con descuento?",
        "não me liguem mais, prefiro pelo zap",
        "nao me contatem mais por email",
        "não me contate mais no horário de trabalho",
        "prefiro nao receber mais mensagens depois das 21h",
        "nao quero mais mensagens hoje",
        "hoy no quiero más mensajes",
        "dejen de escribirme a las 11 de la noche",
        "dejen de mandarme mensajes a las 6am",
        "parem de mandar mensagem pro número da minha mãe",
        "no me manden mensajes al celu de mi novia",
        "que no me escriba más la señorita de ayer",
        "deja de darme la lata con la deuda, ya te pago",
    ],
)
def test_limited_request_not_opt_out(text: str) -> None:
    assert find_opt_out(text) is None


def test_match_is_kept_for_audit() -> None:
    assert find_opt_out("Hola, dejen de mandarme mensajes!") == "dejen de mandarme"


# Requests to stop in wordings beyond the keywords: halt or remove verbs,
# revoked permission, polite and angry forms, chat spelling, Portuguese.
STOP_REQUESTS = [
    "ni un whatsapp más por favor",
    "no autorizo que me manden mensajes",
    "nunca te di permiso pa escribirme",
    "no quiero que me contacten más",
    "retírenme de su base",
    "eliminen mi número de la lista",
    "desactiven las notificaciones",
    "paren con los recordatorios",
    "chega com essas mensagens",
    "não autorizo mensagens",
    "no me interesa recibir sus avisos",
    "me tienen harta con los mensajes",
    "si me siguen escribiendo los bloqueo",
    "quiero salirme de la lista",
    "não quero ser contatada",
    "no me hablen nunca",
    "detengan los avisos por favor",
    "excluyan mi número de sus listas",
    "bórrenme",
    "no quiero seguir recibiendo recordatorios",
    "no estoy interesada en recibir sus mensajes",
    "que no me llegue ningún mensaje más",
    "revoco mi consentimiento",
    "no les doy permiso de escribirme",
    "não entrem mais em contato",
    "remover meu telefone por favor",
    "no quiero recibir sus mensajes",
    "no deseo recibir este tipo de mensajes",
    "borren mi número",
    "eliminen mis datos",
    "déjenme en paz",
    "baja porfavor",
    "baja xfa",
    "ya pedí la baja",
    "me dan de baja por favor",
    "¿me sacás de la lista?",
    "no insistan",
    "dejen de acosarme",
    "não me manda mais mensagem",
    "no quiero ser contactado nunca más",
    "bloqueen mi número de su lista",
    "no me escriban más",
    "no escriban más",
    "quiero dejar de recibir estos mensajes",
    "quiero que me saquen de la lista",
    "¿me pueden sacar de la lista?",
    "nunca más me escriban",
    "prefiero no recibir más mensajes",
    "favor de no enviar más mensajes a este número",
    "no me llamen ni me escriban más",
    "¿pueden parar de escribirme?",
    "ya párenle",
    "no molesten por favor",
    "porfa sacame",
    "elimínenme de sus contactos",
    "no me interesan sus mensajes",
    "no quiero ningún mensaje más",
    "cómo me desuscribo de estos mensajes?",
    "nome escriban mas",
    "basta de whats",
    "dejen de spamear",
    "quero sair dessa lista",
    "não me mandem mensagens",
    "nunca autoricé que me manden mensajes",
    "no quiero recibir mensajes de cobranza",
    "no quiero que me sigan escribiendo a este número",
    "revoco mi consentimiento para recibir mensajes",
    "quítenme de sus envíos",
    "baja de la lista",
    "no me webeen más con los mensajes",
    "¿Podrían no mandarme más mensajes, por favor?",
    "Si siguen con los mensajes voy a Defensa del Consumidor, así que paren.",
    "Dejen de usar mi número para sus envíos.",
    "n quero mais receber nd",
    "Solicito la baja de este servicio de mensajería.",
    "Señores, por favor abstenerse de enviar más mensajes.",
    "No me mandéis más wasaps.",
    "Ni se les ocurra escribirme otra vez.",
    "Terminen con los mensajes.",
    "Alto a los mensajes.",
    "Parem de me escrever.",
    "retiren mi número de cualquier lista de envío de la empresa",
    "Yo nunca autoricé que me escribieran.",
    "Excluam meu contato da base de vocês.",
    "FUERA DE MI WHATSAPP",
    "Número equivocado, bórrenlo de su lista por favor.",
    "Paren con todo.",
    "No reconozco esa deuda y no quiero seguir recibiendo mensajes sobre ella.",
    "Não autorizo mais o contato por WhatsApp.",
    "no quiero mas contacto con esta empresa",
    "No puedo pagar y tampoco quiero que me escriban más.",
    "Deja de spamearme.",
    "no kiero resivir mas nada",
    "Que nadie de su empresa me vuelva a escribir.",
    "Por gentileza, não enviem mais mensagens para este número.",
    "sáquenme al tiro de la lista po",
    "Bórrenme de todo.",
    "Hágame el favor y me saca de esa lista.",
    "solicito la supresión de mi número y el cese de las comunicaciones",
    "Revogo meu consentimento para receber mensagens.",
    "Les prohíbo que me escriban.",
    "Pido que se me excluya de los envíos de mensajes.",
    "Quíteme de la lista por favor.",
    "Pongan mi número en la lista de no contactar.",
    "Apaguen los recordatorios, no los quiero.",
    "Les pido que cesen todo contacto conmigo, llamadas incluidas.",
    "Stop a los mensajes",
    "desde hoy no me escriban más",
    "a partir de ahora no me escriban más",
    "a partir de hoy no me contacten nunca más",
    "Paren!!",
    "me tienen chato con los mensajes? paren",
    "Parad de mandarme mensajes",
    "Ni se os ocurra escribirme otra vez",
    "Exijo el cese inmediato de los mensajes",
    "Estoy anotado en el Registro No Llame",
    "Bájenme de la lista",
    "Olvídense de mi número",
    "No quiero ningún tipo de contacto por este medio",
    "Não me perturbe mais",
    "Apaga meu número daí",
    "Dejen de mandarme mensajes todos los días, no quiero saber nada más",
    "No quiero recibir más cobranzas por WhatsApp",
    "Absténganse de seguir escribiéndome",
    "No autorizo el uso de mi número para esto",
    "Dejen de romper las bolas con los mensajes",
    "Dejen de llenarme el whatsapp de mensajes",
    "Sáquenme de acá",
    "Não quero receber mais nada de vocês",
    "Me esqueçam, não quero mais cobrança por aqui",
    "No me contacten más por WhatsApp",
    "solicito que se me excluya del envío de mensajes automáticos",
    "ahorita mismo me dejan de escribir o los denuncio",
    "ya no me incluyan en sus envíos",
    "no quiero volver a recibir un mensaje suyo",
    "cancela o envio de mensagens pra mim",
    "parem de encher meu zap com essas mensagens",
    "me exclui da lista, por favor",
    "nunca mais me mandem mensagem",
    "já falei, não quero mais mensagem de vocês",
    "quero parar de receber essas mensagens",
]
# Look-alikes that must not revoke consent. They are payment talk that
# mentions calls, sends, lists, permissions or "baja", timing, channel and
# third-party requests, real words one typo from a trigger word, debtor
# lists, credit bureaus and questions.
LOOK_ALIKES = [
    "quiero salir de la deuda",
    "no me hablen de intereses, ya pagué",
    "no autorizo el débito automático",
    "no me interesa la promoción",
    "suspendan el servicio, nunca funcionó",
    "me tienen cansada con el producto que nunca llegó",
    "no quiero que me cobren de nuevo",
    "si me siguen cobrando de más voy a reclamar",
    "parce, no puedo todo junto",
    "cancelen el envío del pedido, llegó roto",
    "paren el cobro, no les debo nada",
    "borren la deuda del sistema",
    "no me llegó el mensaje con el link",
    "no me llamen, escríbanme",
    "no me llames ahora, estoy en el trabajo",
    "no llamen a mi mamá, yo soy el titular",
    "no molesten a mi familia, la deuda es mía",
    "¿no me escribís mañana y lo vemos?",
    "no jodas, tanto?",
    "lo tengo en modo no molestar",
    "todavía no mandé nada, mañana te transfiero",
    "perdón, no envié el mensaje completo",
    "¿cómo hago para dar de baja el débito automático?",
    "quiero dar de baja a mi hija del colegio",
    "quiero la baja del débito",
    "ya hice el stop debit en el banco",
    "estuve sin whatsapp toda la semana",
    "me cobraron sin avisos",
    "quiero salir de la lista de morosos",
    "sáquenme de la lista de deudores",
    "quero sair da lista de inadimplentes",
    "¿Pagar qué? Yo no debo nada",
    "¡Qué padre, gracias!",
    "ya cancelaré, gracias",
    "no quiero que me manden al veraz",
    "no tienen autorización para cobrarme eso",
    "revoco el permiso de débito automático",
    "no necesito que me manden el link, ya pagué",
    "paren con esto de los intereses",
    "no quiero nada de intereses",
    "no acepto nada de eso, no es mi deuda",
    "perdón, no me llegué a ver los mensajes",
    "a veces deja de llegarme el whatsapp",
    "não quero mais receber boleto em papel",
    "não entre em contato com minha mãe",
    "no hablé más con la chica que me atendió",
    "no autorizo el envío del producto",
    "borren el registro de la deuda",
    "quiten de la base el cobro duplicado",
    "hay que parar el débito. Te mando un whatsapp",
    "cancelen la orden, les mandé un whatsapp",
    "no me jodas, 50 lucas??",
    "ustedes deben de mandarme el link",
    "pasen el cbu x mensaje",
    "ya pedí la baja hace 3 meses y me siguen cobrando",
    "no quiero que me llamen, escríbanme por acá",
    "dejen de escribirle a mi mamá, la deuda es mía",
    "me cortaron la luz sin más aviso",
    "no me escriban después de las 8",
    "¿no me escribís más tarde? estoy manejando",
    "no tienen permiso para contactar a mis referencias",
    "cuando pague me dan de baja del veraz?",
    "hice stop del débito automático",
    "no me mandes más audios, escribime",
    "no me manden nada todavía, cobro el viernes",
    "voy a sacar plata y te mando msj",
    "quiero dar de baja el gym",
    "pago hoy para salir de la lista de mora",
    "eliminen la deuda de su base, ya la pagué",
    "todavía no me contacté con ustedes porque estuve enfermo",
    "puede ser que no me lleguen los mensajes?",
    "no quiero recibir más facturas en papel",
    "si no pago se cancela la suscripción?",
    "¿Cancelar? Si ya pagué",
    "dejé de llamar porque nunca atienden",
    "no me hables más de intereses, ya pagué",
    "no me dejen de mandar los recordatorios que me olvido",
    "hace rato que no me escribían, ¿qué pasó?",
    "no quiero más el servicio, ¿cómo lo doy de baja?",
    "este número lo voy a dar de baja, escríbanme al otro",
    "não me manda mensagem tão cedo por favor",
    "STOP a los recargos, ya pagué todo",
    "No quiero darme de baja, sigan avisándome que el 20 pago.",
    "deja de mandarme audios, mandame texto x fa",
    "Antes de las nueve no me escriban, porfa, que duermo.",
    "No insistan con las cuotas, quiero pagar todo de una.",
    "Dejen de mandarme la factura en papel, mándenla por acá.",
    "Dejen de mandarme el monto equivocado, es 12.000 no 15.000.",
    "Hoy no me escribas que estoy en un velorio, mañana hablamos.",
    "Ya no vivo en esa dirección, no manden más cartas ahí.",
    "No pienso darme de baja, solo necesito unos días para pagar.",
    "Me cobraron la anualidad de una tarjeta que pedí dar de baja.",
    "Pedí la baja por correo y tengo la respuesta de ustedes.",
    "retiro la autorización del débito automático",
    "revoco el consentimiento para el débito de la tarjeta",
    "no me llamen más, escríbanme por whatsapp",
    "Dejen de llamarme, escríbanme por acá",
    "Para de me ligar, me manda mensagem",
    "Solicito el cese de las llamadas, prefiero WhatsApp",
    "Pido el cese del contacto telefónico, escríbanme",
    "mañana no me escriban que estoy de viaje",
    "Los domingos no me escriban",
    "Hasta que cobre no me escriban",
    "Dejen de escribirme a las 7 de la mañana",
    "Paren de mandarme mensajes a la madrugada",
    "Hoje não me mandem mensagem, estou no hospital",
    "Não me mande mensagem até sexta, aí eu pago",
    "Paren, me están cobrando dos veces",
    "Stop cobrando de más",
    "Quiero cancelar la suscripción del gimnasio",
    "Sáquenme de la base de Equifax, ya pagué",
    "no me llamen más, mejor mándenme un mensaje",
    "quero parar de receber boleto em papel",
    "no me incluyan en el plan de cuotas",
    "no encuentro el link ni por ningún lado",
]


@pytest.mark.parametrize("text", STOP_REQUESTS)
def test_stop_request_detected(text: str) -> None:
    assert is_opt_out(text), text


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alike_not_opt_out(text: str) -> None:
    assert not is_opt_out(text), text


# Replies written for the opt-out rules, one a line. The `opt_out` rows are
# requests to stop in the voices of debtors of the seven locales. The
# `not_opt_out` rows are near misses that must keep the messages going:
# paying off with "cancelar", channel or hour changes, stopping one charge or
# document, and debtor lists.
REPLIES_TABLE = Path(__file__).parent / "fixtures" / "optout_replies.tsv"


def _table_replies(label: str) -> list[str]:
    with REPLIES_TABLE.open(encoding="utf-8", newline="") as table:
        rows = csv.DictReader(table, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [row["text"] for row in rows if row["label"] == label]


@pytest.mark.parametrize("text", _table_replies("opt_out"))
def test_table_stop_detected(text: str) -> None:
    assert is_opt_out(text), text


@pytest.mark.parametrize("text", _table_replies("not_opt_out"))
def test_table_near_miss_kept(text: str) -> None:
    assert find_opt_out(text) is None, text

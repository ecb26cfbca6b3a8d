from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "staff" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "username" VARCHAR(64) NOT NULL UNIQUE,
    "password_hash" VARCHAR(255) NOT NULL,
    "role" VARCHAR(16) NOT NULL,
    "active" BOOL NOT NULL,
    "failed_attempts" INT NOT NULL,
    "first_failed_at" TIMESTAMPTZ,
    "locked_until" TIMESTAMPTZ,
    "last_login_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON COLUMN "staff"."role" IS 'REVIEWER: reviewer\nOPERATOR: operator\nADMIN: admin';
COMMENT ON TABLE "staff" IS 'One console account; the password is stored as an argon2id hash only.';
        CREATE TABLE IF NOT EXISTS "payment" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "out_trade_no" VARCHAR(32) NOT NULL UNIQUE,
    "trade_type" VARCHAR(8) NOT NULL,
    "appid" VARCHAR(32) NOT NULL,
    "payer_openid" VARCHAR(64),
    "amount_fen" INT NOT NULL,
    "description" VARCHAR(127) NOT NULL,
    "time_expire" TIMESTAMPTZ NOT NULL,
    "prepay" VARCHAR(256),
    "state" VARCHAR(16) NOT NULL,
    "transaction_id" VARCHAR(32) UNIQUE,
    "paid_at" TIMESTAMPTZ,
    "closed_at" TIMESTAMPTZ,
    "refunded_fen" INT NOT NULL,
    "settled_by" VARCHAR(16),
    "notify_event_id" VARCHAR(64),
    "notify_raw" JSONB,
    "notify_count" INT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "order_id" BIGINT NOT NULL REFERENCES "orders" ("id") ON DELETE RESTRICT
);
COMMENT ON COLUMN "payment"."trade_type" IS 'NATIVE: NATIVE\nJSAPI: JSAPI';
COMMENT ON COLUMN "payment"."state" IS 'UNPAID: unpaid\nPAID: paid\nCLOSED: closed\nREFUNDED: refunded';
COMMENT ON TABLE "payment" IS 'One WeChat Pay order for an application order (a QR code, or an in-WeChat payment).';
        CREATE TABLE IF NOT EXISTS "refund" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "out_refund_no" VARCHAR(64) NOT NULL UNIQUE,
    "amount_fen" INT NOT NULL,
    "reason" VARCHAR(80) NOT NULL,
    "requested_by" VARCHAR(64) NOT NULL,
    "state" VARCHAR(16) NOT NULL,
    "refund_id" VARCHAR(64),
    "success_at" TIMESTAMPTZ,
    "notify_raw" JSONB,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "payment_id" BIGINT NOT NULL REFERENCES "payment" ("id") ON DELETE RESTRICT
);
COMMENT ON COLUMN "refund"."state" IS 'PROCESSING: PROCESSING\nSUCCESS: SUCCESS\nABNORMAL: ABNORMAL\nCLOSED: CLOSED';
COMMENT ON TABLE "refund" IS 'A refund of (part of) a paid payment; ``out_refund_no`` makes a retry the same refund.';
        CREATE TABLE IF NOT EXISTS "audit_log" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "username" VARCHAR(64) NOT NULL,
    "action" VARCHAR(32) NOT NULL,
    "order_no" VARCHAR(32),
    "before" JSONB NOT NULL,
    "after" JSONB NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    "staff_id" BIGINT REFERENCES "staff" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_audit_log_order_n_8b688c" ON "audit_log" ("order_no");
COMMENT ON TABLE "audit_log" IS 'One staff action: who did what to which order, the values before and after.';
        CREATE TABLE IF NOT EXISTS "fulfilment" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "review_round" INT NOT NULL,
    "rejection" JSONB NOT NULL,
    "resubmitted_at" TIMESTAMPTZ,
    "reviewed_at" TIMESTAMPTZ,
    "cert_serial" VARCHAR(64),
    "cert_not_before" DATE,
    "cert_not_after" DATE,
    "key_serial" VARCHAR(64),
    "produced_at" TIMESTAMPTZ,
    "password_channel" VARCHAR(16),
    "password_secret" TEXT,
    "password_delivered_at" TIMESTAMPTZ,
    "courier" VARCHAR(32),
    "tracking_no" VARCHAR(64),
    "shipped_at" TIMESTAMPTZ,
    "delivered_at" TIMESTAMPTZ,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "order_id" BIGINT NOT NULL UNIQUE REFERENCES "orders" ("id") ON DELETE CASCADE
);
COMMENT ON TABLE "fulfilment" IS 'What the CA did with a paid order: review round, certificate, password, shipping.';
        CREATE TABLE IF NOT EXISTS "staff_session" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "csrf_secret" VARCHAR(64) NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "staff_id" BIGINT NOT NULL REFERENCES "staff" ("id") ON DELETE CASCADE
);
COMMENT ON TABLE "staff_session" IS 'A signed-in browser: the cookie''s token is stored only as its SHA-256.';
        ALTER TABLE "orders" ADD "phone_hash" VARCHAR(64);
        ALTER TABLE "orders" ADD "queued_at" TIMESTAMPTZ;
        ALTER TABLE "orders" ADD "resubmission" BOOL NOT NULL DEFAULT False;
        ALTER TABLE "orders" ADD "subject_name" VARCHAR(128);
        ALTER TABLE "material" ADD "original_format" VARCHAR(16) NOT NULL DEFAULT '';
        ALTER TABLE "material" ADD "original_height" INT;
        ALTER TABLE "material" ADD "original_width" INT;
        ALTER TABLE "material" ADD "warnings" JSONB NOT NULL DEFAULT '[]'::jsonb;
        ALTER TABLE "material" ADD "original_size" INT NOT NULL DEFAULT 0;
        CREATE INDEX IF NOT EXISTS "idx_orders_phone_h_adfaf3" ON "orders" ("phone_hash");
        CREATE INDEX IF NOT EXISTS "idx_orders_subject_58833d" ON "orders" ("subject_name");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_orders_subject_58833d";
        DROP INDEX IF EXISTS "idx_orders_phone_h_adfaf3";
        ALTER TABLE "orders" DROP COLUMN "phone_hash";
        ALTER TABLE "orders" DROP COLUMN "queued_at";
        ALTER TABLE "orders" DROP COLUMN "resubmission";
        ALTER TABLE "orders" DROP COLUMN "subject_name";
        ALTER TABLE "material" DROP COLUMN "original_format";
        ALTER TABLE "material" DROP COLUMN "original_height";
        ALTER TABLE "material" DROP COLUMN "original_width";
        ALTER TABLE "material" DROP COLUMN "warnings";
        ALTER TABLE "material" DROP COLUMN "original_size";
        DROP TABLE IF EXISTS "payment";
        DROP TABLE IF EXISTS "fulfilment";
        DROP TABLE IF EXISTS "audit_log";
        DROP TABLE IF EXISTS "staff";
        DROP TABLE IF EXISTS "refund";
        DROP TABLE IF EXISTS "staff_session";"""


MODELS_STATE = (
    "eJztXW132jq2/itafJl0Fu1KaZP2MrPuWiShPXQSyCXk9Nw5mUWELYJOjORjyaG5c/vfR5"
    "Jf8CvYBBLj6EtiZG3Zfrbe9qO9pX835tREFnv3jU4abfDvBoFzJC6iyU3QgLa9TJQJHE4s"
    "le8PP8OEcQcaXCRNocWQSDIRMxxsc0yJzDggCLgEc0CnwERT5DjIBAvq3L+T8iY1RAGY3K"
    "3PKu786aIxp3eIz5AjBH7/l0jGxEQ/EJM/f28wDrmrXtRxyRjyxr9kFvt+PMXIMmMfik2Z"
    "TaWP+aOt0k7wXY/wLyqvfLnJ2KCWOyfL/PYjn1ESCmDCZeodIsiBHMkncMeVKBDXsnysAm"
    "C8D1hm8d48IiO+GbqWxFJKey+wTGuMx/3BaHzVHY3HjRTOgUQETz/JoETqSLwqUwDcyVd4"
    "+1+t1ocPn1qHH44/H3389Ono8+FnkVe9b/rWp5/eyyzR8opSmPW+9voj+UJUVASvcsiEn0"
    "oGcuhJKQUt0b8XH5/G/3QGnWz0g/wJ/MWHJfEP0F6lgCBhqYFl5X0OFczhj7GFyB2fiZ/H"
    "H1eg+2tnePpLZ3hw/PFNHOK+f6elbkmwl+Da8NGiMAPfb1eDfja+EZEExCY2OPh/YGGWqu"
    "rbgrrx96lLDIkimLjY4piwd/Kx/93YkQJWAC4hkiXPGfvTigJ9cNH5LamD0/PBiYKMMn7n"
    "qFJUAScJhSy7pXR97xJ3rnTSE68IiYFSullKP1/tb9iImBLCchpoXHb7Z73+1zbw5W/I8L"
    "rfVymiRyYq5WzQ77aBSQkS193OmbhGXtUr23TeHxdoOu+Pc5uOvBXXFOQczW2eoavcgSEq"
    "sn542JaCDnc7PLTef/z08fOH44/hqBCmrBoMgo4/Mp8Q+toA1KTY8wH7eU+A9Sc4KUjPBB"
    "4cz1E2rkupZDfvi70LLvZwXF2B36h30b0adS4uY337WWfUlXdaKvUxkXqQ7DjCQsD33ugX"
    "IH+Cf4rOLDkEhPlG/2zId4Iup2NCF2NoRjEJkoOkmHpNZLo2Gt+jxzLTpLjURsOFPxetyG"
    "Q13t23Phfp71uf8zt8eS/ejixq3CNzPCmFc0xoKzDXfErqA+YSjq2yfVZSdgs9V8XQr1PH"
    "ZUHGx8J0p05azyP0I2e8j0vVoUWt0mn3t9FqGyNU6fmg/zXInjQ84i3McJDEZoM5QVyyhv"
    "OChvhAc0CsR7+W7Elz8yv0ytbm2uaGWo9Laq1XResZnaz/9kutTzHBbLaR2hOieiytjpq9"
    "1i0J6+l9hDSVCRNo3C+gY45jd2LGYIZ1feJLffnHEFlQAZlW+ZLwH7pkD5v5z6CGB6lBg5"
    "G40RbNQzJ9a96aJ1MggXfqk+Sz5ZPiaGUvnPg4rlw7GTt+pkLrJz4TIv4DCIR0E0ypA6gt"
    "9UQdBiAxVYrt0AeBlZcJOJAASgyUvdCyhTLXr8jo1ZdKrr74ui9Pcj4vFbd7PWyNjZOrlC"
    "jD4smnEJYSek2rAIHAOHQ2m+jGJWs40d33GY+e2b4+PVOXG9RTwiZLohHxCnNFjehK57A7"
    "Gv5vGziIO4/Rdc8bcj64GrWBRb0F9pdfAy1N3mne7gm8nTQGys6GlzJ1mow9w6Q4ZVzH9J"
    "BWwhfqIHxH/oEeU/1Rrhm9hwrIs6FFsgMXofkWqXfiy8X3Iu712Z2r085Zt/Ezn6rYpTH+"
    "HYlBg18zZYGmDPLI3eYqo3yBDJFv7AYZCxnmwlwm2JT+isIAFv+m2MDQAtAwqEs4OJAWtX"
    "dvLmYnb4UtfefAeROIRxGCLHB7O7dvb99kW+jbLDzDVP+94WdU+lTP8twltf1eha6qucJ+"
    "97WVOXnKxn8poa3NAtZmpGUURTgi8oxuehQ2ngXiIo4X+W4XKacL8ZG0ZA2OiOxomvlyji"
    "07oEvciXyvCcrqpym1ECQ5bElMMIH0REjuqiqHKc87pz8ZDM5jc/qTXnLSfn1x0hUmlEJf"
    "ZMI81ktnYb4JS5UU1vxFlfkLlzxJ2xniWt9V1rfyT2KGwL/MmBWXqgM7svOJl/Ziqpk/i/"
    "Zieo1az/NiKuHdskvK6JSSB+Qw6GsjRRrF7jdX0UZGMuda3uj7DDkIUBnrypADDmzxxzce"
    "3wDM2orRESXgBwRMB055U6UwjuwmWMwgVz8nlAO4gJizNHm0kydoBqlODJImOHZLcGiGbs"
    "cTRc0g7dzhBtll0A3yaytnPbZqWPWjq4viG5WpH8YfWgUw/tDKxVjeSngxmDkQr6Q/I1Ka"
    "+yzBfc4w49TJiKHM33IiIlKNLSfk82qz5YQ2qfN7nnqZ1LFpp2Mip7Q7UVRqI4eiqg0tVf"
    "AnUqCm9VDao2gQlLNfOijqUhStezGnIvECoH99fv5SXkUe7hncUKiQfFJIfRQrRgepWBzb"
    "trChOCTp1nMHCfYYJSADcERRlEALGMjheCrziWIcURsWUADvEhkfn+NCtK2CdaRPhTuh5g"
    "qex2tehJZiIiIy2+EiKrSHyPYNDb2V3Q590W2H/oGMjDlsPr4RkWfkKZ+Hpdx+7d3DrenU"
    "kkVJvBtnw86XUdtb7rghV9cnF73RqHvWBsydzDEXr3hDLjs9kWBDbMpwjW/dU5XBQbI6yf"
    "udy8vh4FeZJsZVhz7ItKtfepeXqpwZtm2Zcjq4uDzvKlGDzm05n5Gpnf5p9/xcpUooLUul"
    "ng+uVJJFGarIFnh0IXQ23oDATsjtqkbUiWT1MNuAy04JakZ7PetK2MKflhflqCIi1eCo6r"
    "UtqjuRXet4Btms1FJDQk7X/fWrOT5k6vcGUAdytYN6J3sK2gIjVLpax6Vqh/T2K7X4Rncj"
    "ijsmqB1vq0Nop10DRVFygs6Y719VYi0vKaoX9Eos6MG5DDIcT1EG6vm7xMSEarSUsLV9Ym"
    "TxSEAkfQYza/QK/6u0qPYDWE9wBLBt4FEek9TDRJWHiZDF2Sz0KiarNV1lTesIkfyudD8d"
    "G3SEyGvU+hYiRGKDfBiF8cSNUJOhH3vZ06d3Q02cDzVHJOs8ljJAXXql7GGLKQTSXHyPg6"
    "H1RJQu/GLqBFMpt5vI3n6uNcVWUGeyIR0QNKLiz3pgv8RKq0krLemjFDTBDC+lSOvM91Oy"
    "I5kKOSp5mykBUThQXiJqh2BIYn5G3o0DCP5nCAzxzCbw8mDy1hf3H5vjs7SDZ2j3pX11X3"
    "L5WLyUicq6MCXktBvTWp7Eg0shlAn0emeQeAlVdm9q9Duj3q/dNvD+35BvV53LXhuof8lO"
    "qYg6thw9KLq6cu4AoUCVUa9MVRdjw0YeLkm5+tGvO3C6eKF1hMrV6S0vJERfo0QVTojVsL"
    "t431oF5HJB/9OKBf1PqcERz9EY/bCxkzE6ruafEqI1JKD2l3BK84y2g0QvX2pQCCXqNxy0"
    "jop4l4pcuW1J3Ut7HG88xwyFn9Hf2CXSJbhRcop53ffciT3puHNx3O1XOht/ue6fec7GU1"
    "e8S0VcgcWjCIPKBTEzqDC/VaQl63YY7S6mpXiTBY6ImF65rPLY4rX2TRYuo4Jax1XWcdB/"
    "lzR4kmLPZ/Ic7om9wxDnVulzuuNS9ZugbX/IJ5Tj6eMYPUjPp3JjfoZo/RDfPkPiw+bARR"
    "rs/MiUuNSTglMqhvdzR6H4SKpDNUp02Ukx3WWnfF21p1bNfHa0p9Zr1Hqep1YFNh6qnIZf"
    "485DVVPCk7ceGorWMOydjlZtPZQ0+Z7oJjZUhdQI7J0ev+6jleH2tMQx3+vJWeZZ6/TU8R"
    "lZedLagQ0dLi7eAKh43MDH6G/g9lY6nHg5RQ95ewvm8B4xkU8d9+ntri1e1C8s7fe0u8do"
    "16cKd+JNsNr1KVR1GTM8JVg75yftpbAvXgpiwsvKOSgsJWq3edPnwyJeYof5bmKHyWrrIP"
    "GRjJemRZNytYN6F9uh79mq9eVwcNq9uur1v5aEPCLZBstruWnWqbxuA//ihnRO+oPhRee8"
    "DYKr5dq29z8503kZUtsfDsvR2TEhTWQX2WPGMBBjG0XgRiX1Cmd1iJ40v6eXK152uUKz6v"
    "kd3H7yq5pVf41aL8Kq+8xPaV49Llcny/RlmfVIvOQTufX6BU83E+x6vA6W5td3SR+HMdkZ"
    "BHI0XjufQp5HcxWKnHVti0ITmWCKLaRCWuX5jEE5gFmUgwN5htYbyQFDP8T1b4rTJWghrH"
    "UloNwNMo583P4jbsgNGYk7qjDMvFzUmUMxTRPP+HbZ/QoOXNvBdzPeFHfAHHEo2cwmuHFb"
    "reOPoHV4eAjsH+Hv9+Di5I1isYUQJtAa//X29oZ4YE3Q8uRJP9KXcCD3X2oKCaFzIr6U3d"
    "6qDH+64i34I7AdKhQyZ+JjJXl+cHs7ofwdngu1M1m0DA1mb+SZltiYKUkHPWDxqY4oGTGR"
    "jkjiicaMMgQ4BfcI2eqePaPiJySPC/hYkFL/Pba2JIH3zsXUNHvlaHalnBT+KzwK/fw1jJ"
    "zaPiNgQ15uB1Q/fw3BbR0dFQqlOVoRSnOUsbcdl2NsftR2jiWYkKsh3jugt/D/ZYCc200H"
    "2es0+96eN/cMto6OS/W7oYSurAUq6wKbWV1vbm0N8+tNWzMOt0RyklsCzaWAhjOj8VPXMc"
    "rtQh9KPOMC2gIZM1j2nJnKxHEEFlMZkj4qU43jLmp1JGto9k6lGV3K6sgQrd2a/Q5OMgpQ"
    "Kzl1S8np2I5kHx5CVHaikRbUQ+QKeEtPPTIkNcA6Nqn+62lFVlF1lEp11tJ0lEqxdbTcKJ"
    "XTztVp56z7UotoHdfE/JzeNTIW0cJ7zVWLaFDmGlt+tkKraKIyTKfA21emDRYzCkxs+gtH"
    "1F/mUYA11dLNA7RcxMAEiWkzApCYAE45crKXz7ZYtg66qHCf1FyxGuQy5JQ9Ii8qo7nJIs"
    "EWRtldC5cSNQR4+xtJvcih71U+enD7EHvdfhlybSlRDWqtVifJqqG3jDZCAa2M7SujtE2t"
    "ben9s6XVdLm0LR2VqhEv9bKmtAJ1C6b0VVDOfumgqCUdrXsxS1q8AOhfn5+/lCkdOcomw5"
    "iOH3STb07Hj9dZb09/D9wtTzuepYv5LNhyQM0G2763JHCkd2UTGMjheCqPYBGl2ZCxhcjW"
    "BGyGbVvoJ21Vb/0JgU9qJF+YDaAfYtBm4AARw3m0ReV9A6joeYFLOLYA5tKJVYCGH5CDTG"
    "XDEz91gW2kd0uofA/YXGG4e/VorOpRidWSpJhe6EtH8P+Bcuz1/Nl1TKgaM+xaeRL4J5tv"
    "eN5tWlpH3FYnCCw90/ZjFjZTdUxU67nKepazmjEL44oKO3PHxfROBesZaAUZoXycR+PJVr"
    "UC7bjoqla1f9ivwFq2kjwkcxi4AkDmUnGvCcd79LhB049L6ZZfICLJoaZrbDSWJkT1WFrl"
    "sTRgBcbGDBKCSrWqLNn6ta3tu9uGuDFkOCijfY3Qj9wNC1KidUB8VYvq/jZabReGDep80P"
    "8aZE8aizkaCHmujc4TyilE93hV7vEM6jo4awq2Kgw0FKlDa3uGE5KNe/ECJT0rEmL1Q3oH"
    "obaS8N+o84pL6h6ryj3WUwYpPTbtk6b17mX5Xel+eohkqL2yZ4K8kuXRlINIGWeGtXEZA4"
    "JGVPzZdVTGiyprRzEZT3IO8ZxyMvxCQm+dfJeQ0DGoWHSF/G5qIQANtQeYtzNY6F+BGWCc"
    "iiEXQCZ3D4POHSUtbIIZZDPlapEdV7GVUrVjRoV7niaoekRFrQ+vCAkb2WQ2IjoDwRpGV+"
    "xk3y1H9GfZQK8/CyCQrTLWjWH31173e3fYDjdMvCGDy+6wMxqINGrLd6QirXN20eu3ATTn"
    "mCQ7/5choWWo0EOGck6owB2S/PiihyytTITUrtQSdEHPazueDAbnMfvhpJcklq8vTroCdQ"
    "W6yIR5rKtfQj2F2FKmGUdzm2fsNJM7xGZIas+7FLzYYXwcQlXWcs4Q1yRJdazlNEliUeNe"
    "qEq5K5dVdlJWa7rSmoZMxb1jskG7TglrXVdZ13qjmfwBcz+pz7zguBL8WzIW/omHx0a329"
    "jLlp4+PTa2GogYezpIii678oraw8aSi9QuA9NimOVRkBFM1zCRYxbJWuDoXYbvCDLfYgIm"
    "Dl0wGS8muUOD0nuM/sIAp/cyhitkEFW4F2QAcwaufum8bR0dZx21u61iNSe5p5ykUnBpti"
    "wupXnJtbykwZxpri/gCq+kuFiVebLKQI1+2FjMXjaYZcYlazjL3JNZpTYmtDFRrZ02Kqfh"
    "17jVRtWU8OS9Nl5610rkYGPWyNqz0ruz0oqByzzrzJd8RLdsNrwWm+GJ6yr51sADcgKjtO"
    "gUNSJSw+npTpbMZaMqgbCfvYbovj88LLLmfXiYv+gt72UeBJZGOH+PjojI8+/Q8TLz/a3t"
    "xfEkV8unDmY//wNVmpz1"
)

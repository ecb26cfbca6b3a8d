from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
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
        ALTER TABLE "material" ADD "original_height" INT;
        ALTER TABLE "material" ADD "original_size" INT NOT NULL DEFAULT 0;
        ALTER TABLE "material" ADD "original_format" VARCHAR(16) NOT NULL DEFAULT '';
        ALTER TABLE "material" ADD "warnings" JSONB NOT NULL DEFAULT '[]'::jsonb;
        ALTER TABLE "material" ADD "original_width" INT;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "material" DROP COLUMN "original_height";
        ALTER TABLE "material" DROP COLUMN "original_size";
        ALTER TABLE "material" DROP COLUMN "original_format";
        ALTER TABLE "material" DROP COLUMN "warnings";
        ALTER TABLE "material" DROP COLUMN "original_width";
        DROP TABLE IF EXISTS "payment";
        DROP TABLE IF EXISTS "refund";"""


MODELS_STATE = (
    "eJztXWtz4jgW/SsqPiVbTFeazmuZra0ihO6hJ4EsITOz05kywhbBG1vy2HLT2dn+7yvJNn"
    "4TmwAxjr50E1lHts/V89wr+a+GSTRkOO8+k2mjDf5qYGgi9iOa3AQNaFlhIk+gcGqIfP/x"
    "M0wdakOVsqQZNBzEkjTkqLZuUZ1gnnGIEXCxTgGZAQ3NkG0jDSyI/fiO4zWisgJ0/PB8Vn"
    "blTxcplDwgOkc2A3z5gyXrWEPfkMP//NJwKKSueFDbxQqkjT94FutRmenI0GIvqms8m0hX"
    "6JMl0i70hz6mH0Ve/nBTRSWGa+Iwv/VE5wQvATqmPPUBYWRDivgdqO1yFrBrGD5XATHeC4"
    "RZvCePYNg7Q9fgXHK09wBhWkNRBsOxctsbK0ojxXOAiPDpJ6kEcxuxR3UEAQ/8EX74e6v1"
    "4cNZ6+jD6fnJ8dnZyfnROcsrnjd96ey79zAhW15RgrP+p/5gzB+IsIrgVQ6e8F1gIIUeSh"
    "goZP+RvXya/+4c2tnsB/kT/LMXS/IfsL3KAEFCaIGw8u7CBCb8phgIP9A5+/P0eAW7v3RG"
    "3Z86o4PT48M4xQP/Sktc4mSH5FrwySAwg9/Pt8NBNr8RSIJiTVcp+B8wdCdV1TdFdeMfMx"
    "ernEUwdXWD6th5x2/7z8aWDLCCcE4RL9l0nD+NKNEH153fkjboXg0vBGXEoQ+2KEUUcJEw"
    "SNgtpet7D7umsEmfPSLEKkrZJkTvrvY3LIQ1TmE5CzRueoPL/uBTG/j4ezy6GwxECuuRsU"
    "i5HA56baARjNjvXueS/UZe1SvbdN6fFmg6709zmw6/FLcUpBSZFs2wVe7AEIU8PzxsykBH"
    "2x0eWu+Pz47PP5weL0eFZcqqwSDo+CPzCWavNUhNwnZH7PmeEOtPcFKUXjI+qG6ibF5DVL"
    "Kb92Hvgh97OK6u4G/cv+7djjvXN7G+/bIz7vErLZH6lEg9SHYcy0LAr/3xT4D/CX5nnVly"
    "CFjmG//e4M8EXUoUTBYK1KKcBMlBUsy8GtJcCymP6KnMNCmOWmu48OeiFZmsxrv71nmR/r"
    "51nt/h82vxdmQQ9RFpyrQUzzHQRmiu+ZTUJ8zFVDfK9llJ7AZ6roqxX6eOy4AOVdjSndhp"
    "O4/Rt5zxPo6qQ4taZdPeb+PVa4ylSa+Gg09B9uTCI97CVBtxbtaYE8SRNZwXNNgLakNsPP"
    "m1ZE+am1+hV7Y219LWtHocKa1eFatndLL+04dWn+lYd+ZrmT0BlWNpdczstW4uWM8eI6Ip"
    "T5hC9XEBbU2JXYktBjNW1xc+6uPPI2RAQWTa5KHgP3LxHjbz70END1KDBsN5Iy2Sx2T6kt"
    "kykykQwwfxSvze/E5xtrIdJz6PK30niu1nKuQ/8ZUQ9j+AgKGbYEZsQCxuJ2I7AGJNpFg2"
    "+cq48jIBG2JAsIqyHS0bKPN5j4z0vlTS++LbvrzIuVspbvt22Jgax72UKGPFky8hhAjp0y"
    "ogIDgU2utNdOPIGk50933GI2e2b8/OxKUq8Yywjks0Aq+wVtSIejpHvfHo321gI2o/Rf2e"
    "9/hqeDtuA4N4DvbX94GWFu+kbvcC3Y4vBsrOhkNMnSZjO5gUpxbXMTukjfCR2Eh/wD+jp1"
    "R/lLuM3kMD5K2hWbINF8vlW6TesTdn74uo12d3brudy17je75Usc3F+K+IDRr0zhEr0NSC"
    "PHK1uWpRvkAqy6e4QcZCC3O2XMa6xuMV2QKY/TfTVR0aAKoqcTEFB3xF7V0z2ezkB7aWfr"
    "Ch2QTsVhgjA0wmpjWZHGav0DdZeMZS/UvDzyjsKe7lhUvK9XsVuqrmivW7b63MyVM2/yFC"
    "rjYLrDYjLaMowxHIDsP0CGzshOIigRf5YRepoAv2kqRkDY5AtjTNfL3Ali3IJe6UP9cUZf"
    "XThBgI4hy1JAZMMD1lyG1V5WXKbuf0F8PhVWxOf9FPTtrvri96bAkl2GeZdBrrpbM4X0el"
    "SoKlflFl/cLFL7J2Blzau8r2FvFJjsr4LzNmxVF1UEe2PvGSUUw1i2eRUUxv0ep5UUwlol"
    "u2KRl1Cf6KbAf61kiJRrHrzVWykZrM+axu9Osc2QgQvtfVQTY4sNg//uLxEOhOWyg6rAT9"
    "KwKaDWe0KVIciqwmWMwhFX9OCQVwAXXqpMWjrdxBKkh1UpCkwLFdgUMqdFueKEoFaesBN8"
    "gqw26QX65ynudWDKv+7uqi/EYx9eP4Q6sAxx9auRzzS4koBi2H4pXyZwQltc8S2udcdyix"
    "M/ZQ5h85EYFU48gJfr/aHDkhl9T5PU+9ltSxaaetIbt0OFEUtVZAUdWGlirEEwlS03YoHV"
    "E0DMrZLxsUDSmK1r1YUBF7ADC4u7p6ragij/cMbWhpkHxRSLyUU0wOEntxLMvQVaEh8bCe"
    "B4h1T1ECfAMOK4pgaAAV2VSf8XysGJvVhgVkxLuY74/PCSHaVMFyp0+FO6HmCp3Ha16YlF"
    "IiIpjNaBEVOkNk8wsNeZTdFmPRLZv8B6kZc9h8fiOQHeqUu1EpN1979/BoOuGyKMl343LU"
    "+Thue+6Oe3x7d3HdH497l23guFNTp+wR7/FNp88SLKhrfLvG515XZLARr078eufmZjT8ha"
    "excdUmX3na7U/9mxtRzly3LJ7SHV7fXPUEVCWmxeczPLUz6PaurkQqp9IwROrV8FYkGcRB"
    "FTkCjyyYzZQ1BOwEbls1ok4iq8fZGlp2CigV7edVV+ws/Gl5UY0qAqmGRlWvY1HdKe9alT"
    "l05qVcDQmcrPvP132T7xlRZginic7f9B8D1UgZ2ti2f148YhTxEBA/AKSwOz0NlW6d5+er"
    "AW1rBAjGkDLctjoydjogcDkpXy+SPoaVlq6ypWXAb35Xup9+Khnw+xatvoGA39ggvwyqfe"
    "G5dslI3r3s6dOH2yU+92EinHW8fhmibrxS9rDFFCLJZO9j69B4IUvXfjF1ommbXtSgVmX4"
    "USMVLt+TakUyFXKlesc9AFY4EH4scYYhxDFPqHfhAIJ/jYDK7tkEXh4d/+DD/dvmeFW3cA"
    "/pYN1XB6tLFfZQGirrZE3gpKP12aW/R5dgKJPo591V8RKq7IBtDDrj/i+9NvD+v8efbzs3"
    "/TYQ/63jJ9rw/gbW1ZVzWCwBVWa9MlWdjQ1r+eCSuPopivWRxitXpzesjUcfo0QVTsBq2F"
    "28b60iMvyM0dmKzxidpQZH3UQK+mbpdsbouFpSSUBrqKnsr4aSls4sG7FevtSgsETUbzho"
    "nRSJf2G5ctuSuJaOiVp7jrkE7zAiysU8aKlRcop5N/ACnjx0PPwpHpjEw6E+3g0uvXComc"
    "uepSLBSuxW2IEiSCJz20N+q0gj6/a5vG1MS/V1NPsITDrjqjy2eK19HV9cFChtXGUbB/13"
    "yQVPEia/dJw6/g9RapT+kmgcVb8J2uaHfEyoPntS0FcezFNuzM+A1o/xzSskPm02XKTJzo"
    "+djaNeFD5bMb53HSfrMymO/S7RZSdhsstOhW/K4KOahaHI4KO3aPW84KMKHI1QOQu/xbMR"
    "qmaEFx+OMGKtYdTvjlcdjpBc8r0w8mkkCqkR2VuNe/LZygh7CnnMj3qywzzPBj11fEWWfw"
    "vmwII2ZT8OARQ6bhBj9COYTHjAiZeT9ZCTCTDhI3JYPvFBMu/8T/agfmHpuKft3UaGPlW4"
    "E2+C1aFPS1OXWYangLULfpJRCvsSpcAmvE65AIUQUbvjJc6PikSJHeWHiR0lq62N2Es6tL"
    "QsmsTVjuqtfCF5v7zWN6Nht3d72x98Kkl5BNkG4W9+rEeX/24D/8c97lwMhqPrzlUbBL9C"
    "37b3f3Km8zqitj8clpOzYyApZBdoIq6qIsdZa1NpFCk9nNURetL6nnRXvK67Qqrq+R3cfu"
    "qrUlV/i1Yvoqr7yk9pXT2Oq9PK9HWV9ch+yRdq6/XbD9xMqOvxOlhaX9+mfLzcZpwhIEe3"
    "IOdLyGY0V6Gds65lEKghDcx0A4ktrfwLUkE5wDEIBQf8Kx+HXAOG/hbXH4Wmi9GCrdYFQI"
    "QbZHyUavO3uMf3eMyuiMJ0x8tFbBOyaRq7x+eb3idw4Fq2/jCnTXYFmIhCrmY2wb3bap0e"
    "g9bR0RGwvi3/fg+uLw6Fis1AOoaG8rfJ5B57ZE1R+G0sf6cvpoAfKdRkCGZzzN7UmUxEhj"
    "9d9hT0CVg2YQYxHfayXDw/mEymhL7TTWZ2hxfNtwY7h/yrW7o6F0gbfdXZq9qsZOSwdIQT"
    "d1TnxEGAEvCIkCWuWXPC/oT4aQGfCkrqX2K+JU689+UuKbNXTmYXxknxvyKi0M9fw51Tm1"
    "cELEhLHT0Y5K8hua2Tk0JbaU5WbKU5yTiujfIxNn/Xds5KMIGrId9bkLf0/2aQnNtNB9nr"
    "NPveXDT3HLZOTkv1u0uErKwFKutC17K63tzauswvzyHN+PwW4pPcEmyGAElnRuMnrq2WGq"
    "9CxA4daAukzmHZk/Ars48jWDGVEemjmGocyF2rj8Ytl70zvowuterIgNbOZ7+Fby0ErJWc"
    "uqVwcm9Hsg9fUlR2opEGyiFyBb2lpx4ZSEmw3JtUf39aES+q3KVSHV+a3KVSzI+Wu0ul27"
    "ntdi57r+VE6yBbV+eNDBeaf6W5yoEGwzzPuc/yGd3w3oa34nF54SCa70tZ4zstL/0+S9Va"
    "9Q5Ef96oSjDsZ68hu++PigTUs1z5S8ajVEi97xopI5tEILtXTfY8sjE1QdjlYPb9/yMevP"
    "o="
)

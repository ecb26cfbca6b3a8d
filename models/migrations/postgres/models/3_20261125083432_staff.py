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
        ALTER TABLE "orders" ADD "resubmission" BOOL NOT NULL DEFAULT False;
        ALTER TABLE "orders" ADD "subject_name" VARCHAR(128);
        ALTER TABLE "orders" ADD "phone_hash" VARCHAR(64);
        ALTER TABLE "orders" ADD "queued_at" TIMESTAMPTZ;
        CREATE INDEX IF NOT EXISTS "idx_orders_subject_58833d" ON "orders" ("subject_name");
        CREATE INDEX IF NOT EXISTS "idx_orders_phone_h_adfaf3" ON "orders" ("phone_hash");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_orders_phone_h_adfaf3";
        DROP INDEX IF EXISTS "idx_orders_subject_58833d";
        ALTER TABLE "orders" DROP COLUMN "resubmission";
        ALTER TABLE "orders" DROP COLUMN "subject_name";
        ALTER TABLE "orders" DROP COLUMN "phone_hash";
        ALTER TABLE "orders" DROP COLUMN "queued_at";
        DROP TABLE IF EXISTS "fulfilment";
        DROP TABLE IF EXISTS "audit_log";
        DROP TABLE IF EXISTS "staff";
        DROP TABLE IF EXISTS "staff_session";"""


MODELS_STATE = (
    "eJztXdty2zgS/RWUXtapUlKOkjhe79ZWybaSeMaWXLYymZ3JFAORkIQ1BXBI0Ip3Nv++AH"
    "gR7xJlUqZovPgCokHyNG590N38q7OgBjKdVz/RSecE/NUhcIH4H9HiLuhAy1oVigIGJ6as"
    "9x+/wsRhNtQZL5pC00G8yECObmOLYUpExRFBwCWYAToFBpoi20YGWFL77pWQN6jOG8Bktr"
    "4qv/KnizRGZ4jNkc0Ffv+DF2NioO/IEf/+3nEYZK58UNslGmSdP0QV606bYmQasRfFhqgm"
    "yzX2YMmyUzy7IOyDrCsebqLp1HQXZFXfemBzSkIBTJgonSGCbMiQuAOzXYECcU3TxyoAxn"
    "uBVRXvySMy/J2hawoshbT3AKuyjqYNR2PtdjDWtE4K50AigqdfpFMidMQf1ZEAzMQjvPx7"
    "r/fmzfve4Zuj43dv379/d3x4zOvK501fev/De5gVWl5TErOLjxfDsXggyjuC1zlEwQ8pAx"
    "n0pKSCVujf8ZdP4382h3Y2+kH9BP78xZL4B2gXKSAoWGlg1Xl3oYIF/K6ZiMzYnP979LYA"
    "3V/6N2ef+jcHR29fxCEe+ld68pIAewWuBR9MCjPw/el2NMzGNyKSgNjAOgP/AyZ2Ul29Kq"
    "g7/5y6RBcogomLTYaJ80rc9l+dmhRQALiASLS8cJw/zSjQB1f9X5M6OLscnUrIqMNmtmxF"
    "NnCaUMhqWkr39wFxF1InF/wRIdFRSjcr6d31/o6FiCEgLKeBzvVgeH4x/HgCfPmv5ObzcC"
    "hL+IxMZMn5aDg4AQYliP896J/zv5HX9coOnddHGwyd10e5Q0dcimsKMoYWFsvQVe7CEBVZ"
    "vzxUpaDDepeH3uu3798evzl6G64KYUnRYhBM/JH9BNfXFqAmxXYH7PGeAOtvcFKQnnM8GF"
    "6gbFxXUslp3hd7Ffyxh+tqAX7ji6vB7bh/dR2b28/744G40pOlD4nSg+TEETYCvlyMPwHx"
    "L/iNT2bJJSCsN/6tI54JuoxqhC41aEQxCYqDoph6DWS4FtLu0EOZbVJcaqvlwt+LNmSzGp"
    "/ue8ebzPe94/wJX1yLjyOT6nfI0CalcI4JVQJzy7ekPmAuYdgsO2clZSuYuRqGfpsmLhM6"
    "TOOmO7XTeh6j7znrfVyqDSOqSKeDX8fFNkao0svR8GNQPWl4xEeYbiOBzRZ7grhkC/cFHf"
    "6CxoiYD34v2ZPh5nfowtHmWsaWWo9LKq03ResZk6z/9CutTzHBznwrtSdE1VraHDV7o1sQ"
    "1tO7CGkqCiZQv1tC29BiV2LGYIZ1fepLffj5BplQAplW+Yrwv3HJHg7zH0EPD0qDASNwoz"
    "2ah2T60qK3SJZAAmfylcS9xZ3iaGUfnPg4Fp6daLZfaaPzE58J4b8BBFy6C6bUBtQSeqK2"
    "AyAxZIll03uOlVcJ2JAASnSUfdBSQZvrT2TU6UsjT1983ZcnOXdLxdWvh8rYOHFKiTIsnn"
    "wKYSWhzrQ2IBAcBu3tNrpxyRZudPd9x6N2ts9Pz9RlOvWUsM2RaES8wVxRJ3rSeTMY3/z7"
    "BNiI2Q/Rc8+v5HJ0Oz4BJvUO2J/+DLQ0ead4u0fwdsIYKLsbXsm0aTO2g01xyriO6SGthA"
    "/URnhGfkYPqfko14zeQwXk2dC82IbL0HyL9Dv+5vx9EfPm7P7tWf980PmRT1XUaYx/QXzR"
    "YJ8daYGmDPLI1W6RUb5EOq+nuUHFjQxzbi4TbAh/RW4A819TrGNoAqjr1CUMHAiL2ru24L"
    "uTl9yWntlw0QX8VoQgE3z7trC+fXuRbaFX2XiGqf57x68o9Snv5blLKvu9CVNVt8B+97WV"
    "uXnKxn8loazNDazNyMjYFOGIyA7d9Cjs7ATiTRwv8t0uUk4X/CVpyR4cEalpm/l0ji010C"
    "XuRDzXBGXN05SaCJIctiQmmEB6wiXr6sphyW739Kej0WVsT396kdy0f746HXATSqLPK2EW"
    "m6WzMN+GpUoKK/6iyfyFSx6l7Qxxpe8m61v6Jzk6x7/MmhWXagM7UvvGS3kxtcyfRXkxPU"
    "et53kxlfBuqZMyOqPkHtkO9LWRIo1i17tFtJGerLmWN/oyRzYCVMS6OsgGBxb/4RuPLwB2"
    "TiSjw1vA9wgYNpyyrixxGLK6YDmHTP47oQzAJcTMSZNHtdxBMUhtYpAUwVEvwaEYupo3io"
    "pBqt3hBlll0A3qKytnPbZyWfWjqzfFNyrTPozf9DbA+E0vF2NxKeHFYORAXEh/RqQU91mC"
    "+5xjh1E7I4YyP+VERKQZKSfE/VqTckKZ1PkzT7tM6ti20zaQXdqdKCq1lUNR05aWJvgTSV"
    "DTeijtUTQK2tkvHWzqUhTtezGnIv4AYPj58vKpvIo83DO4oVAh+aSQfClnMzpIxuJYlol1"
    "ySEJt54ZJNhjlIAIwOFNUQJNoCOb4amox5uxeW9YQg68S0R8fI4LUVUNq0ifBk9C3QKexx"
    "tehJZiIiIy1XARDcohUr2hoVLZ1eiLbtn0P0jP2MPm4xsR2SFPuRuWsvreu4ep6eSRRUm8"
    "O+c3/Q/jE++44yu5/Xx6dTEeD85PgONOFpjxR/xKrvsXvMCC2BDhGj8NzmQFG4nuJK73r6"
    "9vRr+IMr6u2vRelN1+uri+lu3MsWWJkrPR1fXlQIrqdGGJ/Ywo7Q/PBpeXslRAaZqy9HJ0"
    "K4tM6qCGpMCjS64zbQsCOyFXV49oE8nqYbYFl50SVIz2etaVOEt/W74pRxURaQZH1a60qO"
    "5ETK3aHDrzUkcNCTnV99ef5viQyf+3gDqQax3UteQUtDhGqHS3jku1DunqOzV/R3crijsm"
    "qBxvm0Nop10DeVNig+44vn9VibO8pKg60CtxoAcXIshQm6IM1POzxMSEWnSUUFmeGNE84h"
    "AJn8HMHl3gf5UWVX4A6wmOALYtPMpjkmqZaPIyEbI424VexWSVppusaRUhkj+V7qdjg4oQ"
    "eY5aryBCJLbIh1EYj0yEmgz92MuZPp0NNf5NFoZsDM1HInXlN7OHYyYXplIeJZG0da45xe"
    "YCkYzpKYB0RNCY8h/rgf0Qa60lHbCk+03YuTI8cKIdL98JZxGttdlnCi3xDTRkAI4+8tLh"
    "8tKgHeCYlIED4ef+QiTeEZlwhafEP2S0FEFL5DApINPzZIRl1XOLTT6LGHWyErdQn0VsqL"
    "uOVE4K/wJ63q/fQl+SOj6LyMrx8X79FoLbe/duA3R5rVx45bUU08IEXyKBKoFzUq6FeNdw"
    "oIf/mwFy7jQdVG9TvsjKSFlnDnvvjkrNu6GE6qwbdNYlNrKm3tzeGtZXRwgZoVYIz+Zlcv"
    "evBBScGYOfurZezicilNih06OXnrSzkwmgep9CRdrmQ7+f9N0mpO0TRaM1TsPPMRytaUp4"
    "dDzaEye57rsGZpd01sngw8Jr3SI+DIpamulX24gQ451hOpWZgig5Acs5BQY2/AxBlP/G+t"
    "wjqLwEQvfQdJEDJmjKe5X8gBScMmRnM2EVtq2i0xo8J3UL6C6RnqqsR2pURhlfm7i968Fp"
    "w6YQryRaCHD1HkZPEmPZZE/f6iH2pv00wPmRGysJFbgRMxeqCNyQS28ZbYQCShnVK6O0Ta"
    "1s6f2zpeV2ubQtHZVqEfn3tKa0BLUCU/o2aGe/dLCpJR3te43K7BJxr8kwpuPON/nmdNzl"
    "Z5O0v35e3bO+Z+liNgdQRpt7dq6INL/HaAls6hKjG8/KYkHHWfJqXS/OnOsnK+1vxXf4Sr"
    "6SMW8vUi+sBtB3vmg74AAR3X6weOd9ASifeYFLGDYBZgA7gIOG75GNDGnDE790iS1kKMO9"
    "6TNgt8Bw9/qRJvtRiZOopNju6N3DetVR2WmUl2wi017P313HhJqxw25VLkU/kHDL8JK0tA"
    "owaY7PeXqn7U1SW6o6Jqr03GQ9i12N5oQuwht7q8XF2heCWcNHfQRkhDItj8YTo6oA7bho"
    "0ajaP+wLsBajJA/JHAZuAyBzqbjnhOMdethi6Mel1MjfwOXapoarb7WWJkTVWtrktTRgBb"
    "QtviuTJdu+sVVDaswANwfpNsoYX2P0PccOzxBtA+JFI2rw67jYLgwH1OVo+DGonjQWczQQ"
    "8lzbzHN5jagZr8kznk5dG2dtwYriXEKRNoy2us/8BZ9+xx+gpGdFQqx9SNcQS+Slrt0mdU"
    "pMUs1YTZ6xHrNIqbVpnzStkqXkT6X76SGSofamfPvnuR6PlshTk3ZmWBuXESQLqTsq40mV"
    "VVNMxqOcQzynnAy/kNBbJ98lJHQM2iy6Qrw3NcWXmGU6Dy/JR+hfgR0gvo+HDAAdkQgE2j"
    "NKetgAIkGwdLXIjquopFXlmNHgmacLmh5R0aDv/dSRRsQnbErn904KtjC6opbEIjafz7KB"
    "Xv+FmkC2yVh3bga/XAy+DG4CBz1kfyWj68FNfzziZdQSz0h5Wf/86mJ4AqCxwCQ5+T8NCS"
    "1Che4zlFOYmHsltMOU3MEUtLcZuacQm9I0Y2hhsYzcfblLbIak8rxLwYtth2khVGUt5wxx"
    "RZI0x1pOkyTi45ZcVdJduayyk7JK043WNHRk3DsmW4zrlLDSdZN1rRLN5C+Y+0l95gXHle"
    "DfkrHwj8x7HE23sZcjvTg7tIPkF3MeCZKky25R+PGdPRssuUjVGZgWwyyPgoxguoaJ1JxI"
    "1bWMZB84eEaQ8RITMLHp0hHxYoI71Cm9w+hvDmD0TsRwhQyiDPeCDsDMAbef+i97747SlG"
    "R1zSpOck85Sang0mxZXErxkmt5Sd2xp7m+gAVeSXGxJvNkjYEafbcw371sscuMS7Zwl7kn"
    "u0plTChjolmZNhqn4eeYaqNpSnh0ro2nzlqJbKzPO1k5K70rhVYMXNVZZ77kI1qx2fBcbI"
    "ZHnqvkWwNbfPn0sV88bdqo3sGRuRhUJRD2q7cQ3deHh5uceR8e5h96i2uZXzpJI5yfoyMi"
    "svsMHU+z368sF8ejXC0fu5j9+D/WVLFR"
)

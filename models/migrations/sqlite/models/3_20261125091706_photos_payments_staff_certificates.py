from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "staff" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "username" VARCHAR(64) NOT NULL UNIQUE,
    "password_hash" VARCHAR(255) NOT NULL,
    "role" VARCHAR(16) NOT NULL /* REVIEWER: reviewer\nOPERATOR: operator\nADMIN: admin */,
    "active" INT NOT NULL,
    "failed_attempts" INT NOT NULL,
    "first_failed_at" TIMESTAMP,
    "locked_until" TIMESTAMP,
    "last_login_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL
) /* One console account; the password is stored as an argon2id hash only. */;
        CREATE TABLE IF NOT EXISTS "payment" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "out_trade_no" VARCHAR(32) NOT NULL UNIQUE,
    "trade_type" VARCHAR(8) NOT NULL /* NATIVE: NATIVE\nJSAPI: JSAPI */,
    "appid" VARCHAR(32) NOT NULL,
    "payer_openid" VARCHAR(64),
    "amount_fen" INT NOT NULL,
    "description" VARCHAR(127) NOT NULL,
    "time_expire" TIMESTAMP NOT NULL,
    "prepay" VARCHAR(256),
    "state" VARCHAR(16) NOT NULL /* UNPAID: unpaid\nPAID: paid\nCLOSED: closed\nREFUNDED: refunded */,
    "transaction_id" VARCHAR(32) UNIQUE,
    "paid_at" TIMESTAMP,
    "closed_at" TIMESTAMP,
    "refunded_fen" INT NOT NULL,
    "settled_by" VARCHAR(16),
    "notify_event_id" VARCHAR(64),
    "notify_raw" JSON,
    "notify_count" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "order_id" BIGINT NOT NULL REFERENCES "orders" ("id") ON DELETE RESTRICT
) /* One WeChat Pay order for an application order (a QR code, or an in-WeChat payment). */;
        CREATE TABLE IF NOT EXISTS "refund" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "out_refund_no" VARCHAR(64) NOT NULL UNIQUE,
    "amount_fen" INT NOT NULL,
    "reason" VARCHAR(80) NOT NULL,
    "requested_by" VARCHAR(64) NOT NULL,
    "state" VARCHAR(16) NOT NULL /* PROCESSING: PROCESSING\nSUCCESS: SUCCESS\nABNORMAL: ABNORMAL\nCLOSED: CLOSED */,
    "refund_id" VARCHAR(64),
    "success_at" TIMESTAMP,
    "notify_raw" JSON,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "payment_id" BIGINT NOT NULL REFERENCES "payment" ("id") ON DELETE RESTRICT
) /* A refund of (part of) a paid payment; ``out_refund_no`` makes a retry the same refund. */;
        CREATE TABLE IF NOT EXISTS "audit_log" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "username" VARCHAR(64) NOT NULL,
    "action" VARCHAR(32) NOT NULL,
    "order_no" VARCHAR(32),
    "before" JSON NOT NULL,
    "after" JSON NOT NULL,
    "at" TIMESTAMP NOT NULL,
    "staff_id" BIGINT REFERENCES "staff" ("id") ON DELETE SET NULL
) /* One staff action: who did what to which order, the values before and after. */;
CREATE INDEX IF NOT EXISTS "idx_audit_log_order_n_8b688c" ON "audit_log" ("order_no");
        CREATE TABLE IF NOT EXISTS "fulfilment" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "review_round" INT NOT NULL,
    "rejection" JSON NOT NULL,
    "resubmitted_at" TIMESTAMP,
    "reviewed_at" TIMESTAMP,
    "cert_serial" VARCHAR(64),
    "cert_not_before" DATE,
    "cert_not_after" DATE,
    "key_serial" VARCHAR(64),
    "produced_at" TIMESTAMP,
    "password_channel" VARCHAR(16),
    "password_secret" TEXT,
    "password_delivered_at" TIMESTAMP,
    "courier" VARCHAR(32),
    "tracking_no" VARCHAR(64),
    "shipped_at" TIMESTAMP,
    "delivered_at" TIMESTAMP,
    "updated_at" TIMESTAMP NOT NULL,
    "order_id" BIGINT NOT NULL UNIQUE REFERENCES "orders" ("id") ON DELETE CASCADE
) /* What the CA did with a paid order: review round, certificate, password, shipping. */;
        CREATE TABLE IF NOT EXISTS "staff_session" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "csrf_secret" VARCHAR(64) NOT NULL,
    "expires_at" TIMESTAMP NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "staff_id" BIGINT NOT NULL REFERENCES "staff" ("id") ON DELETE CASCADE
) /* A signed-in browser: the cookie's token is stored only as its SHA-256. */;
        CREATE TABLE IF NOT EXISTS "certificate" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "key_serial" VARCHAR(64) NOT NULL,
    "serial_hex" VARCHAR(64) NOT NULL UNIQUE,
    "issuer_dn" VARCHAR(512) NOT NULL,
    "subject_dn" VARCHAR(512) NOT NULL,
    "subject_hash" VARCHAR(64),
    "owner_openid" VARCHAR(64),
    "project" VARCHAR(32) NOT NULL,
    "not_before" TIMESTAMP NOT NULL,
    "not_after" TIMESTAMP NOT NULL,
    "status" VARCHAR(16) NOT NULL /* ISSUED: issued\nRENEWED: renewed\nREVOKED: revoked */,
    "replaced_by_id" BIGINT,
    "revoked_at" TIMESTAMP,
    "revocation_reason" VARCHAR(32),
    "certificate_pem" TEXT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "order_id" BIGINT REFERENCES "orders" ("id") ON DELETE SET NULL
) /* One certificate issued by the CA through certdesk. */;
CREATE INDEX IF NOT EXISTS "idx_certificate_key_ser_678817" ON "certificate" ("key_serial");
CREATE INDEX IF NOT EXISTS "idx_certificate_subject_ed411b" ON "certificate" ("subject_hash");
CREATE INDEX IF NOT EXISTS "idx_certificate_owner_o_7177e6" ON "certificate" ("owner_openid");
CREATE INDEX IF NOT EXISTS "idx_certificate_not_aft_f7612c" ON "certificate" ("not_after");
CREATE INDEX IF NOT EXISTS "idx_certificate_replace_4d8a81" ON "certificate" ("replaced_by_id");
        CREATE TABLE IF NOT EXISTS "renewal_reminder" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "reminder" VARCHAR(16) NOT NULL,
    "sent_at" TIMESTAMP NOT NULL,
    "certificate_id" BIGINT NOT NULL REFERENCES "certificate" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_renewal_rem_certifi_67a8c8" UNIQUE ("certificate_id", "reminder")
) /* A renewal reminder that was sent (or queued): at most one per certificate and reminder. */;
        ALTER TABLE "orders" ADD "subject_name" VARCHAR(128);
        ALTER TABLE "orders" ADD "resubmission" INT NOT NULL DEFAULT 0;
        ALTER TABLE "orders" ADD "queued_at" TIMESTAMP;
        ALTER TABLE "orders" ADD "phone_hash" VARCHAR(64);
        ALTER TABLE "material" ADD "original_format" VARCHAR(16) NOT NULL DEFAULT '';
        ALTER TABLE "material" ADD "original_width" INT;
        ALTER TABLE "material" ADD "original_size" INT NOT NULL DEFAULT 0;
        ALTER TABLE "material" ADD "original_height" INT;
        ALTER TABLE "material" ADD "warnings" JSON NOT NULL DEFAULT '[]';
        CREATE INDEX "idx_orders_subject_58833d" ON "orders" ("subject_name");
        CREATE INDEX "idx_orders_phone_h_adfaf3" ON "orders" ("phone_hash");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_orders_phone_h_adfaf3";
        DROP INDEX IF EXISTS "idx_orders_subject_58833d";
        ALTER TABLE "orders" DROP COLUMN "subject_name";
        ALTER TABLE "orders" DROP COLUMN "resubmission";
        ALTER TABLE "orders" DROP COLUMN "queued_at";
        ALTER TABLE "orders" DROP COLUMN "phone_hash";
        ALTER TABLE "material" DROP COLUMN "original_format";
        ALTER TABLE "material" DROP COLUMN "original_width";
        ALTER TABLE "material" DROP COLUMN "original_size";
        ALTER TABLE "material" DROP COLUMN "original_height";
        ALTER TABLE "material" DROP COLUMN "warnings";
        DROP TABLE IF EXISTS "audit_log";
        DROP TABLE IF EXISTS "refund";
        DROP TABLE IF EXISTS "fulfilment";
        DROP TABLE IF EXISTS "payment";
        DROP TABLE IF EXISTS "staff_session";
        DROP TABLE IF EXISTS "certificate";
        DROP TABLE IF EXISTS "renewal_reminder";
        DROP TABLE IF EXISTS "staff";"""


MODELS_STATE = (
    "eJztXWtz27iS/SsofVlnS0k5Spxkfbe2SraVjDK25JXlZPbGUzREQhbHFMAhQSveu/nvC4"
    "CkxLcImZIpGl8SGcTh4zRe3ehu/Ks1Jway3DdfyaR1DP7VwnCO2I9ocRu0oG2vCnkBhRNL"
    "1PsrqDBxqQN1yoqm0HIRKzKQqzumTU2CecUhRsDDJgVkCgw0RY6DDLAgzv0bjjeIzm5g4r"
    "v1VdmVvz2kUXKH6Aw5DPDjT1ZsYgP9RC7/80fLpZB64kUdD2uQtv7kVex7bWoiy4h9qGnw"
    "aqJco4+2KDsx7/qYfhZ1+ctNNJ1Y3hyv6tuPdEbwEmBiykvvEEYOpIg/gToeZwF7lhVwFR"
    "Ljf8Cqiv/mEQz7ZuhZnEuO9l9gVdbStMFwrF31xprWSvEcIiJ8BkU6wVxG7FVdQcAdf4XX"
    "/9HpvHv3sXP47sOno/cfPx59OvzE6or3TV/6+Mt/mRVb/q0EZ/0v/cGYvxBhDcFvHLzgl8"
    "BACn2UENCK/Xv28Wn+T2fQyWY/rJ/gn31Ykv+Q7SIBhAUrCawa7y5EMIc/NQvhOzpjf354"
    "X8Dut+7o9Lfu6ODD+1dxigfBlY64xMlekWvDR4vADH6/Xg0H2fxGIAmKDVOn4P+AZbqppl"
    "4V1a3/nHpY5yyCiWda1MTuG/7Y/2ptSQAFhHOK+J3nrvu3FSX64KL7R1IGp+fDE0EZcemd"
    "I+4ibnCSEMhqWEq39x725kImffaKEOsoJZsVenetv2UjbHAK5STQuuwNzvqDL8cgwN/g0f"
    "VgIErYiIxFydlw0DsGBsGI/e51z9hv5Dc92a7z9kOJrvP2Q27X4ZfikoKUorlNM2SVOzFE"
    "Ieunh6oEdLjd6aHz9v3H95/efXi/nBWWJUWTQTjwR9YTTF4bkJqE7Y7YT3tCbLDASVF6xv"
    "ig5hxl87pCJYf5APYm/LGH82oBf+P+Re9q3L24jI3tZ91xj1/piNLHROlBcuBY3gR8749/"
    "A/xP8E82mCWngGW98T9b/J2gR4mGyUKDRpSTsDgsionXQIZnI+0ePcosk+KojaaLYC1ak8"
    "VqfLjvfCoz3nc+5Q/4/Fq8H1lEv0eGNpHiOQaqhOaGL0kDwjxMTUt2zEpiKxi5asZ+kwYu"
    "C7pUY6o7cdJyHqOfOfN9HNWEHlUk094f42IdYynS8+HgS1g9qXjEe5juIM7NBmuCOLKB64"
    "IW+0BjiK3HoJXsSXcLGnRhb/NsY0Opx5FK6nWResYgG7z9SupTE5vubCOxJ6BqLq2PmP3e"
    "zQ3W0/uI0ZQXTKB+v4COocWuxJTBDO36JEB9/n2ELCiITIt8ZfAfeXgPu/mvsIWHpWGH4b"
    "yRDsljMn1p3pknSyCGd+KT+LP5k+JsZW+cBDwW7p1oTlCp1P5JYAlh/wMIGLoNpsQBxOZy"
    "Io4LIDZEie2QB8aVXwk4EAOCdZS90VLBPdfvyKjdl1ruvgSylzdy7tYUt305VGaN47uUKE"
    "PjyTchrBBqT6uEAcGl0NlsoRtHNnChu+8rHrWyfXlyJh7ViS+ETbZEI/Aa24pa0Z3OUW88"
    "+p9j4CDqPEb3PW/w+fBqfAws4m+wP/8eqLTxTtntnmC348qA7Gp4hWnSYmwHi+KUch2TQ1"
    "oIn4mDzDv8O3pMjUe5avQeCiBPh2bFDlws1bdIu2Nfzr4XUX/M7l6dds96rV/5poptKuPf"
    "EZs06LUrNNCUQh652i5SyhdIZ/U0L6xYSjFn6jI2De6vyBRg9t/U1E1oAajrxMMUHHCN2r"
    "82Z6uT10yXvnPgvA3YozBGFri9ndu3t6+yNfQqb56hqv9oBRWFPMWzfHdJpb/XYahqF+jv"
    "gbQyF0/Z/K8QStssoW1GekZZhiOQHbrpEdjaCcVlHC/y3S5SThfsI4lkC45AtrTMfD7Hli"
    "2YS7wJf68JyhqnCbEQxDnWkhgwwfSEIbfVlJclu13TnwyH57E1/Uk/uWi/vjjpMRVKsM8q"
    "mTQ2SmdxvomVKglW9os62y88/CRpZ8CVvOssb+Gf5OqMf5k5K45qgnVk6wsv5cXUMH8W5c"
    "X0EqWe58Uk4d2yTZPRKcEPyHFhII2U0Sh2vV1kNtKTNdfajb7PkIMA4bGuLnLAgc3+CZTH"
    "V8B0j4VFh93BfEDAcOCUtkWJS5HdBosZpOLPCaEALqBJ3bTxaCtPUBakJlmQlIFjuwYOZa"
    "Hb8kJRWZC27nCDbBl2w/pKy1nPrZhWg+jqsvxGMc3j+F2nBMfvOrkc80sJLwYjh+JC82cE"
    "pWyfErbPmelS4mTEUOannIhA6pFygj+vMSknlEqdP/I0S6WOLTsdAznS7kRR1EYORXWbWu"
    "rgTyRITctB2qNoGN5nv2RQ1qUo2vZiTkXsBcDg+vz8ubyKfN4zbENLgeQbhcRHueXMQSIW"
    "x7YtUxc2JO7Wcwex6VuUAA/AYbciGFpARw41p7weu43DWsMCMuI9zOPjc1yIqrqxivSp8S"
    "DULrDz+N0LEylLRARTjS2iRjlEqlc0VCq7Lfqi2w75C+kZa9h8fiOQHdopd2OlrL717mFq"
    "OrFlIcl362zU/Tw+9rc7bvDV9clFfzzunR0D15vMTcpe8QZfdvuswIamwcM1vvZORQUH8e"
    "bEr3cvL0fDb7yMzasOeeBlV7/1Ly/FfWambfOS0+HF5XlPQHUyt/l6hpd2B6e983NRyqm0"
    "LFF6PrwSRRZxUU1S4JEFk5m2gQE7gdtWi2iSkdXnbANbdgqoLNrrra7YXQTL8rI2qgikHj"
    "aqZqVF9SZ8aNVm0J1JbTUkcKrtr9/NCSgTf29AdYhrHNVbySloM46QdLOOoxrHdPWNmn2j"
    "t5GJOwZUjrf1MWinXQPZrfgC3XUD/yqJvbwkVG3oSWzowTkPMtSmKIP1/CwxMVCDthIqyx"
    "PDb48YRdxnMLNFF/hfpaHKD2C9gSOkbQOP8hhSTRN1niaWVpzNQq9iWCXpOktaRYjkD6X7"
    "6digIkReotQriBCJTfLLKIwnJkJNhn7s5UifzoaaOB9qjnDWeSwyRF36d9nDHlOKpDn7Hs"
    "eE1hNZughu01SaIr4jT+14qzs1qN9JuShF8iB61tS0wv6VTeoQozFh/6yn9nPsbg1iVsKf"
    "KxyuMjy6IiNZvk+XHalUyqnLTzwF2M2B8KgR2ZQhjvlk+RcOIPjvEdDZM9vAr2Pi1wE8eG"
    "yOf9cWnqFcvfbV1cujGnspA8m6eyVwyuVrrU3Jp0swlEn0eseZ+B3q7ArWGnTH/W+9Y+D/"
    "f4O/XnUv+8dA/JcclMqIo+JISzbUyblOLAF1Zr02TZ3NDRt5AyVxzTNVb8FB5Zn2XGrXpi"
    "vedIm+hkQTTsAaOFy87RQRuXJ++Fjg/PAxNTmac6Shn7bpZMyOxba6BLSBxrr9Nc6lbbK2"
    "g9goLzUpLBHNmw46R2U8cVmt3L4krqW9szdeYy7BO/TN9jB3n25JLjGvB77rtY+OO2LHXa"
    "S5Y/bn68GZ75g99di71MRtmj0Ku1C4a2YGYOb3ijSyaQf3bmNZam6yGRSBqV3eOs8tfm/f"
    "ZJM3ClQyrrOMw/FbUuFJwnan8hzuib7jIkot6TPN46jmLdCqn/Ixoeb0UUMP3EtMbs7PgD"
    "aP8eotJAFtDlykyc6P4omjnhTIUzO+dx2xEzApDiCRGLKTMDVkp/yClVdbw/yblFfbS5R6"
    "nldbDZI01U7CLzFLU92E8OQ0TSPWG0b903FRmqakyvdER7GRuEmDyN7qUfUBWxluTyse87"
    "2enFWdtU5P3cAiy0+lO7ChQ9mPVwAKO27oY/QPcHvLHU78mmyEvL0Fc3iPXFZPHI3qZyJn"
    "LxrcLO33tL3HKNenGg/ibVDs+rQUtYwangI2zvlJeSnsi5cCW/C6cg4KK0TjEl19OizjJX"
    "aY7yZ2mGy2DmIf6VJps2gS1ziqt5E6fs92rS9Hw9Pe1VV/8EWS8gjyGKx+8wRjp/z3MQh+"
    "3ODuyWA4uuieH4Pw12pv2/8/udJ5HqN2MB3KmbNjIGXILpOPR9eR624UrRxFqh3O+hh60v"
    "Y9tV3xvNsVyqqeP8Dtp31VWdVfotTLWNUDy4+0XT2Oa5Jm+ryW9Ui85BNt680LNG8nrOvx"
    "NihtX9+m+XgZv55hQI7GtuebkOfRWqUiZz3bItBABpiaFhIhrfwsy/A+wLUIBQf8vLFX3A"
    "YMgxDXfwibLkYLpq0LgHA3yDges/pH3OAbPGZXxM1M169FnDlkyzT2jK+XvS/gwLMd825G"
    "2+wKmCMKuTWzDW68TufDe9A5PDwE9s/l32/BxckrYcVmIBNDS/v329sb7JM1QatTOoNIX0"
    "wBz1XVZggmc8y+1L29FRX+9thb0EdgO4QJZO6yj+XG84Pb2wmhb8w5E7vLb81Dg91X/PxP"
    "U58JpIMeTPapDrszclk5wokn6jPiIkAJuEfIFtfsGWF/Qvy4gI8lTeo/YntLnHj/DFFlZq"
    "+dmV0IJ8V/gUdhUL+BkVPVWwRsSOWyxQb1G0hu5+ioVCjNUUEozVFGHkDK59j8qO0cTTCB"
    "ayDfWzBvmf+bQXLuMB1Wb9Lquzpv7hnsHH2QGneXCNVYSzTWhWlkDb25rXVZXyW4zTgIFP"
    "FFrgSbK4CiM6PzE8/R5TL2LxE73EBbIH0GZc/kqU0cR6gxyRjpo5h6HA3SqONrl2rvlKvR"
    "UlpHBrRxe/ZbOPUpZE1y6ZbCqdiO5Bi+pEh2oZEGqimygF7ppUcGUhGsYpOav59WZhdVRa"
    "nUZy9NRamU20fLjVI57V6dds96z7WJ1vUMk56Tu1bGJtryWrtoEw3yWpoVVCu1i8Yaw3QK"
    "/Lwyx2AxI8AwjWDjiATbPIKwtti6eYCWh1wwQWzZjADEBoBTipzs7bMK762CLmo8JrULdo"
    "M8FzmyxwlGMco2WSbYQpfNWrhCNJDg6hNJRQ+7L29hWGEad0xj9RT7w76McW2FqIdprVGn"
    "7oqpV0YaS4ASRvXCkNaplS69f7q0WC5L69JRVIPsUs+rSgtSK1Clr8L77JcMymrS0bYX06"
    "TZC4DB9fn5c6nSkaNsMpTp+EE3+ep0/Hid9fr099Dd8rTra7omnYUpB8Rq8DjwlgQO965s"
    "g8ixSG1WzXUXrFobuDPTtpl80lp15U8IfVIj9ZbVAPrJJm0XHCCsO482a7yvAGEjL/AwNS"
    "1gUu7EykgzH5CDDKHD46B0YdpIZUuo/QjYLlDc/XakiXYksVuShKmNvnQE/18oR1/PX13H"
    "QPVYYTfKkyA4BX7Ds4HTaBVxW58gsPRKO4hZ2EzUMaiSc53lzFc1mruMKyrtzB2HqUwF6y"
    "3QgjJMqJZnxuO9qoDtOLSoV+0f9wVc816Sx2SOBa4EkbmmuJfE4z163KDrx1Gq55eISHKI"
    "4ekbzaUJqJpL6zyXhlYBTZ9BjJFUr8rCNq9vVe9uu+TNRbqDMvrXGP3MTViQgjaB8aIe1f"
    "tjXKwXLjvU+XDwJayeVBZzJLC0c210nlDOTdSIV+cRTyeeY2YtwYrCQJeQJvS2HZyQrN+z"
    "F5D0rEjAmsf0FkJtucF/o8ErjlQjVp1HrKdMUmpu2idJq+xl+UPpfnqIZIi9tmeCvJDt0Z"
    "SDiIwzw9q4jCFGY8L+2XZUxrMKa0sxGU9yDvGdcjL8QpbeOvkuIUvHoHLRFfy7iYUA1EUO"
    "MD8z2NK/wnSBSwmbcgF0efYw6NwR3DENMIPuTLhaZMdVVHJX5ZhR45GnDeoeUdHowyuWBh"
    "veZTYydIbABkZXbCXvlsPGs2yi158FEGLrzHVr1PvW733vjY6XCRNv8PCyN+qOh6yM2Pwd"
    "CSvrnl30B8cAGnMTJwf/5zFC81ChhwzhnBDGO8T58UUPWVKZMNS2xBIOQbvVHU+Gw/OY/n"
    "DSTxqWry9Oeox1QTqrZNLYUL+iegpNS6hmFM1tmpFpJneKzUAqz7sUvabjUm1JlazmnAFX"
    "RpL6aMtpI4lF9HsmKuGuLCvsJFZJutaShq6IezfxBv06BVayrrOsVaKZ/AlzP02fecFxEv"
    "a3ZCz8Ew+Pjabb2Muenj49NrYbiFz36SQJc9mVf6s97Cy5TG0zMC3GWZ4JMsLpGkuk5kaq"
    "ljh61zXvMDJemxhMHLJwebwYtx3qhNyb6N9cQMk9j+FaWhBFuBd0gUldcPVb93Xn6EPWUb"
    "tV3VbZJPfUJikELG0ti6OUXXKtXVJ3nWmuL2CBV1IcVmc7WW2oRj9tk61eNlhlxpENXGXu"
    "yapSKRNKmahXpo3aSfglptqomxCenGvjmbNWnq4yR7QyFJro5UJ9Rk9ULOdfEUlbYbqux3"
    "SLyWOYIIPOHOLdzUQlhr3PcaaQvoXSUmo80hRpKfdmViqLgmBAMzOHRRMWzNVvEz9bvGUJ"
    "olNNfUcHMGzBj19wpc3QTxmW4yilaK+lWUwEjmZI5VSNgRp3mMjR2zLhP6xWLs3iWqI5ex"
    "Oe10aS6DiqgaPzVrmWtdIlcY3LZVv98EEWjAyN2AhnLfgKUgYncIrqtVTbDuGtU4blCKRx"
    "o3T1MZrrkrrkW8jK53TZUwvZnljEShlC12ScKZZyqYQz1Qn5GQJYGiFjl0LqZWz6l3OzXq"
    "F3OGr6FhnJsbPVv7q67p0dB/acGzzqDXrfeYHD3nHhl3wb/u6XPJD74AnPrkM7yLYgT4gz"
    "eZS2TqexW8oG3VS7USw9IG8Tm2UHjCCVH2GdR0MuK124OGkOgq7c+SmZ4OYloqh+ORkxt2"
    "s2mqc5z09plAFthO6/65xGas87v/U3d89bZYxomtQzZrm6ZIyo26RWB0eHXR/PWTMZPDkT"
    "RJkzRaKruzn/UOeJPu4jrjBCaxTcbQ8Ht2dxc0/SluEYksFsvnOI41fWnGjtEv7uAQ6EOE"
    "D5ASoL6AIXYQoOiAOYkDxkvDoG7MKcDb6AYARsVjXqGMIPIw3vkeUAv7XnZPia/Ei6yixJ"
    "+VO5odRlHmiDopNVVo24vL65wjRC6dm2KY33u02yHa5gDVzo7u/CNsNzO2INkB3P0ljlz1"
    "vVMjcxOT1xsZtwH90zgZRd86bbY508fLvIMfVZ1houuFK4dIOrOusWbPm8Vuxy+1IWOk/M"
    "nJK/hHlgipXkieMRSAMXMFtJisU7lQTDQfUGsvv28LDM+vDwMH+ByK8lzOAE0+BozzjD+a"
    "fwRSC7P4PvedaFlZ22J5HMofrJ7Nf/A20VC0g="
)

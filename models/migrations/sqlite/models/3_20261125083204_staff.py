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
        ALTER TABLE "orders" ADD "queued_at" TIMESTAMP;
        ALTER TABLE "orders" ADD "resubmission" INT NOT NULL DEFAULT 0;
        ALTER TABLE "orders" ADD "phone_hash" VARCHAR(64);
        CREATE INDEX "idx_orders_phone_h_adfaf3" ON "orders" ("phone_hash");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_orders_phone_h_adfaf3";
        ALTER TABLE "orders" DROP COLUMN "queued_at";
        ALTER TABLE "orders" DROP COLUMN "resubmission";
        ALTER TABLE "orders" DROP COLUMN "phone_hash";
        DROP TABLE IF EXISTS "staff_session";
        DROP TABLE IF EXISTS "staff";
        DROP TABLE IF EXISTS "fulfilment";
        DROP TABLE IF EXISTS "audit_log";"""


MODELS_STATE = (
    "eJztXW1z2zYS/isYfTlnRsk4SuK4vpubkW0lcWpLHltpeq07DERCEmoKYEnQiq+X/34ASE"
    "p8FymJMkXji19ALEg+i7d9sLv8uzWjBjKdV5/pqHUC/m4ROEP8j3BxG7SgZS0LRQGDI1PW"
    "+9OvMHKYDXXGi8bQdBAvMpCj29himBJRcUAQcAlmgI6BgcbItpEB5tS+fyXkDarzBjCZrK"
    "7Kr/zlIo3RCWJTZHOB3//gxZgY6DtyxL+/txwGmSsf1HaJBlnrD1HFutfGGJlG5EWxIarJ"
    "co09WrLsFE8uCPsg64qHG2k6Nd0ZWda3HtmUkoUAJkyUThBBNmRI3IHZrkCBuKbpYxUA47"
    "3Asor35CEZ/s7QNQWWQtp7gGVZS9P6g6F22xtqWiuBcyARwtMv0ikROuKP6kgAJuIRXv7U"
    "6bx5875z+Obo+N3b9+/fHR8e87ryeZOX3v/wHmaJlteUxOzi40V/KB6I8o7gdQ5R8EPKQA"
    "Y9KamgJfr3/OWT+J9NoZ2OflA/hj9/sTj+Adp5CggKlhpYdt5dqGAGv2smIhM25f8evc1B"
    "95fuzdmn7s3B0dsXUYj7/pWOvCTAXoJrwUeTwhR8P98O+un4hkRiEBtYZ+B/wMROoqtvC+"
    "rWv8Yu0QWKYORik2HivBK3/XerIgXkAC4gEi3PHOcvMwz0wVX317gOzi4HpxIy6rCJLVuR"
    "DZzGFLKclpL9vUfcmdTJBX9ESHSU0M1Sene9v2UhYggIy2mgdd3rn1/0P54AX/6O3Hzp92"
    "UJn5GJLDkf9HsnwKAE8b973XP+N/K6Xtmh8/qowNB5fZQ5dMSlqKYgY2hmsRRdZS4MYZHV"
    "y8O2FHRY7fLQef32/dvjN0dvF6vCoiRvMQgm/tB+gutrDVDjYrsD9nhPgPU3OAlIzzkeDM"
    "9QOq5Lqfg074u9Cv7Yw3U1B7/hxVXvdti9uo7M7efdYU9c6cjSx1jpQXziWDQCvl4MPwHx"
    "L/iNT2bxJWBRb/hbSzwTdBnVCJ1r0AhjEhQHRRH1GshwLaTdo8cy26So1FrLhb8XrclmNT"
    "rdd46LzPed4+wJX1yLjiOT6vfI0EalcI4IbQXmhm9JfcBcwrBZds6Ky25h5qoZ+k2auEzo"
    "MI2b7tRO6nmIvmes91GpJoyoPJ32fh3m2xgLlV4O+h+D6nHDIzrCdBsJbNbYE0QlG7gvaP"
    "EXNAbEfPR7yZ4MN79D54421zLW1HpUUmm9LlpPmWT9p19qfYwJdqZrqT0mqtbS+qjZG92C"
    "sB7fh0hTUTCC+v0c2oYWuRIxBlOs61Nf6sPPN8iEEsikypeE/41L9nCY/wh6eFAaDBiBG+"
    "3QLCSTl2adWbwEEjiRryTuLe4URSv94MTHMffsRLP9SoXOT3wmhP8GEHDpNhhTG1BL6Ina"
    "DoDEkCWWTR84Vl4lYEMCKNFR+kHLFtpcfSKjTl9qefri6748yblbKq56PWyNjROnlCjF4s"
    "mmEJYS6kyrAIHgMGivt9GNSjZwo7vvOx61s31+eqYu06mnhHWOREPiNeaKWuGTzpve8OY/"
    "J8BGzH4Mn3vekcvB7fAEmNQ7YH/6M9DS5J3i7Tbg7YQxUHY3vJRp0mZsB5vihHEd0UNSCR"
    "+ojfCE/IweE/NRphm9hwrIsqF5sQ3nC/Mt1O/4m/P3Rcybs7u3Z93zXutHNlVRpTH+FfFF"
    "g31xpAWaMMhDV9t5Rvkc6bye5gYVCxnm3Fwm2BD+itwA5r/GWMfQBFDXqUsYOBAWtXdtxn"
    "cnL7ktPbHhrA34rQhBJvj2bWZ9+/Yi3ULfZuMppvrvLb+i1Ke8l+cuqez3OkxV7Rz73ddW"
    "6uYpHf+lhLI2C1iboZFRFOGQyA7d9Chs7QTiIo4X2W4XCacL/pK0ZA8OiVS0zXw6x5YK6B"
    "J3JJ5rhNLmaUpNBEkGWxIRjCE94pJVdeVFyW739KeDwWVkT396Ed+0f7k67XETSqLPK2EW"
    "maXTMF+HpYoLK/6izvyFSzbSdoq40ned9S39kxyd419mzYpKNYEdqXzjpbyYGubPoryYnq"
    "PWs7yYSni3VEkZnVHygGwH+tpIkEaR6+082kiP11zJG32dIhsBKmJdHWSDA4v/8I3HFwA7"
    "J5LR4S3gBwQMG45ZW5Y4DFltMJ9CJv8dUQbgHGLmJMmjSu6gGKQmMUiK4KiW4FAMXcUbRc"
    "UgVe5wg6wy6Ab1lZWzGlu5rPrR1UXxDcs0D+M3nQIYv+lkYiwuxbwYjAyIc+nPkJTiPktw"
    "n1PsMGqnxFBmp5wIidQj5YS4X2NSTiiTOnvmaZZJHdl22gayS7sThaXWciiq29JSB38iCW"
    "pSD6U9igZBO/ulg6IuReG+F3Eq4g8A+l8uL5/Kq8jDPYUbWigkmxSSL+UUo4NkLI5lmViX"
    "HJJw65lAgj1GCYgAHN4UJdAEOrIZHot6vBmb94Y55MC7RMTHZ7gQbathFelT40moncPzeM"
    "OL0FJMREhmO1xEjXKIbN/QUKnsKvRFt2z6J9JT9rDZ+IZEdshT7oal3H7v3cPUdPLIoiTe"
    "rfOb7ofhiXfccUduv5xeXQyHvfMT4LijGWb8Ee/IdfeCF1gQGyJc43PvTFawkehO4nr3+v"
    "pm8Iso4+uqTR9E2e2ni+tr2c4UW5YoORtcXV/2pKhOZ5bYz4jSbv+sd3kpSwWUpilLLwe3"
    "ssikDqpJCjw65zrT1iCwY3JV9YgmkaweZmtw2QlBxWivZl2JM/e35UU5qpBIPTiqZqVFdU"
    "diatWm0JmWOmqIyam+v7LvWxwgVBroqJSCeSXM/B3dtUjXiKByBa0PxZp0VuNNiS2j4/ge"
    "PyVOl+Ki6oipxBETnImwN22MUlDPzlsSEWoQub21zCWiecQhEl5sqT06xyMoKapOpleb3A"
    "Fsa/g4RyTVMlHnZWLBK6wXDBSRVZqus6ZVzEL2VLqfR+0qZuE5an0LMQuRRX4RF7Bhas54"
    "MMJezvTJ/JzRr4QwZGNobojUld/MHo6ZTJhK+TiEEqm55hibM0RSpqcA0gFBQ8p/rAb2Q6"
    "S1hnTAkg4hi86V4hMS7njZbiGzcK1iH86zxFe5kAE4+shL0MpLg3aAY1IGDoTn9QuRCkbk"
    "ZhVn9/+U8TsEzZHDpIBMGJMSKFTNLYp8qC/s9iNuoT7UV1MHEqmcBP453Lxfv4HeDVV8qI"
    "+V4+P9+g0Et/PuXQF0ea1MeOW1BNPCBF8igSqBc1yugXhXEDCE/5sCcuY0HVRvUgbDrZGy"
    "zhR23h2VmncXEqqzFuisc2ykTb2ZvXVRXx0hpAT/IDyZlskmvxRQcKYMfuraeqn1aimxQz"
    "c8L2FmaycTwPa93BRpmw39ftJ3RUjbJ4qPqp2Gn2OAVN2UsHGE1BOnXe66BmaXdNJK4cMW"
    "19p5fBgUtTTTr1aIEOOdYTyWuWsoOQHzKQUGNvycNZT/xvrUI6i8lDYP0HSRA0ZozHuV/K"
    "QRHDNkpzNhW2xbxUvVeE5q59BdImGS/LvE7isso4yvIo7YenDaUBTipUQDAd6+h9GTRP3V"
    "2dN3+xB7034S4OxYgqWECiWImAvbCCWQS28ZbSwElDK2r4zSNrWypffPlpbb5dK2dFiqQe"
    "Tf05rSEtQtmNK3QTv7pYOilnS479Uq10jIvSbFmI4632Sb01GXnyKJaP1Mr2ddz9LFbAqg"
    "jH/27FwR+/yA0RzY1CVGO5onxIKOM+fV2l7kM9dPWiLaLd/hjtyRIW8vVG9RDaDvfNF2wA"
    "Eiuv1o8c77AlA+8wKXMGwCzAB2AAcNPyAbGdKGJ37pHFvIUIZ73WfAdo7h7vUjTfajEidR"
    "cbHd0buH1apja6dRXvqDVHs9e3cdEarHDrtR2f38QMI1w0uS0irApD4+58mdtjdJranqiK"
    "jSc531LHY1mrNwES7srRYVa14IZgWfmRGQEcq0LBpPjKoctKOieaNq/7DPwVqMkiwkMxi4"
    "AkBmUnHPCcd79LjG0I9KqZFfwOXapoarr7WWxkTVWlrntTRgBbQ1vnSSJtu8sVVBssYANw"
    "fpNkoZX0P0PcMOTxFtAuJ5I6r36zDfLlwMqMtB/2NQPW4sZmhgwXOtM89lNaJmvDrPeDp1"
    "bZy2BcuLc1mINGG0VX3mL/j0e/4AJT0rYmLNQ7qCWCIvmeo6qVMikmrGqvOMtckipdamfd"
    "K0SpaSPZXup4dIitrr8jWa53o8WiJPTdKZYWVcRpAspOqojCdVVkUxGRs5h3hOOSl+IQtv"
    "nWyXkIVjULHoCvHe1BTfBpbpPLwkHwv/CuwA8cU2ZADoiEQg0J5Q0sEGEAmCpatFelzFVl"
    "pVjhk1nnnaoO4RFTX6Ak0VaUR8wqZ0fu+4YAOjKypJLGLz+Swd6NXfTAlk64x166b3y0Xv"
    "a+8mcNBD9h0ZXPduusMBL6OWeEbKy7rnVxf9EwCNGSbxyf9pSGjvu/YpM35eYu6l0A5Tcg"
    "dT0N5m5B5DbErTjKGZxVJy92UusSmSyvMuAS+2HaYtoCprOaeIK5KkPtZykiQRn1vkqpLu"
    "ymWVHZdVmq61pqEj494xWWNcJ4SVruusa5VoJnvB3E/qMys4rgT/Fo+F3zDvcTjdxl6O9P"
    "zs0A6SX8zZECRJl92ixcd39mywZCJVZWBaBLMsCjKE6QomUnNCVVcykl3g4AlBxktMwMim"
    "c0fEiwnuUKf0HqN/OIDRexHDtWAQZbgXdABmDrj91H3ZeXeUpCS316ziJPeUk5QKLs2WRa"
    "UUL7mSl9Qde5zpC5jjlRQVqzNPVhuo0XcL893LGrvMqGQDd5l7sqtUxoQyJuqVaaN2Gn6O"
    "qTbqpoSNc208ddZKZGN92krLWeldybVi4LLOKvMlG9Etmw3PxWbY8Fwl2xpY48unm37xtG"
    "6jegdH5mJQlUDYr95AdF8fHhY58z48zD70FtdSv3SSRDg7R0dIZPcZOp5mv7+1XBwbuVpu"
    "upj9+D9rRTxc"
)

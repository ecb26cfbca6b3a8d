from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "certificate" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(16) NOT NULL,
    "key_serial" VARCHAR(64) NOT NULL,
    "serial_hex" VARCHAR(64) NOT NULL UNIQUE,
    "issuer_dn" VARCHAR(512) NOT NULL,
    "subject_dn" VARCHAR(512) NOT NULL,
    "subject_hash" VARCHAR(64),
    "owner_openid" VARCHAR(64),
    "project" VARCHAR(32) NOT NULL,
    "not_before" TIMESTAMPTZ NOT NULL,
    "not_after" TIMESTAMPTZ NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "replaced_by_id" BIGINT,
    "revoked_at" TIMESTAMPTZ,
    "revocation_reason" VARCHAR(32),
    "certificate_pem" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "order_id" BIGINT REFERENCES "orders" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_certificate_key_ser_678817" ON "certificate" ("key_serial");
CREATE INDEX IF NOT EXISTS "idx_certificate_subject_ed411b" ON "certificate" ("subject_hash");
CREATE INDEX IF NOT EXISTS "idx_certificate_owner_o_7177e6" ON "certificate" ("owner_openid");
CREATE INDEX IF NOT EXISTS "idx_certificate_not_aft_f7612c" ON "certificate" ("not_after");
CREATE INDEX IF NOT EXISTS "idx_certificate_replace_4d8a81" ON "certificate" ("replaced_by_id");
COMMENT ON COLUMN "certificate"."status" IS 'ISSUED: issued\nRENEWED: renewed\nREVOKED: revoked';
COMMENT ON TABLE "certificate" IS 'One certificate issued by the CA through certdesk.';
        CREATE TABLE IF NOT EXISTS "renewal_reminder" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "reminder" VARCHAR(16) NOT NULL,
    "sent_at" TIMESTAMPTZ NOT NULL,
    "certificate_id" BIGINT NOT NULL REFERENCES "certificate" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_renewal_rem_certifi_67a8c8" UNIQUE ("certificate_id", "reminder")
);
COMMENT ON TABLE "renewal_reminder" IS 'A renewal reminder that was sent (or queued): at most one per certificate and reminder.';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "certificate";
        DROP TABLE IF EXISTS "renewal_reminder";"""


MODELS_STATE = (
    "eJztXW1z2rgW/isaPqUzbCclL83N3bkzJKEtbQIZQtq92+64whbgjZG8shzK3dv/vpJs43"
    "ewCSbG8Ze8HOnI9nNk6ZxHR/LfjRnRkGG9/khGjXPwdwPDGeJ/BMVN0ICm6QuFgMGRIev9"
    "6VYYWYxClXHRGBoW4iINWSrVTaYTLCr2MQI21hkgY6ChMaIUaWBO6MNroa8RlTeg48n6qr"
    "zkLxspjEwQmyLKFb7+wcU61tAPZIl/vzYsBpktb5TaWIGs8YeoYj4oYx0ZWuhBdU1Uk3KF"
    "LUwpu9AnXczeybri5kaKSgx7hv365oJNCV4q6JgJ6QRhRCFD4gqM2gIFbBuGi5UHjPMAfh"
    "XnzgM6/JmhbQgshbZzA76soSi9/lC56wwVpRHD2dMI4OmKVIKFjfitWhKAibiFX/7Vah0d"
    "vW0dHp2enRy/fXtydnjG68r7jRe9/encjI+W05TErPu+2xuKGyK8IzidQwh+Sh3IoKMlDe"
    "Sj/8AfPo7/5RTSZPS9+hH8+YNF8ffQXmUAT+BbwO+8uzDBDP5QDIQnbMr/PT1ege7n9uDy"
    "Q3twcHr8Kgxxzy1pySIBtg+uCRcGgQn4frzr95LxDahEINZ0lYH/A0O3Yl19W1A3fh3bWB"
    "UogpGtG0zH1mtx2f80CjLACsAFRKLlmWX9ZQSBPrhp/xa1weV1/0JCRiw2obIV2cBFxCD+"
    "sBTv7x1sz6RNuvwWIVZRzDa+9u56f8NEWBMQ5rNA47bTu+r23p8DV/8bHtz3elLCR2QsJV"
    "f9XuccaAQj/nenfcX/Rk7Xy/vqvDnN8Oq8OU19dURR2FKQMTQzWYKtUieGoMr66WFbBjos"
    "dnpovTl+e3x2dHq8nBWWklWTgTfwB/wJbq8NQI2q7Q7Ysz0B1nVwYpBecTyYPkPJuPpa0W"
    "HeVXvt/bGH8+oK/Ibdm87dsH1zGxrbr9rDjihpSekiIj2IDhzLRsCX7vADEP+C3/lgFp0C"
    "lvWGvzfEPUGbEQWTuQK1ICae2BOFzKshzTaR8oAWedyksNZG04Xri5bEWQ0P962zLON96y"
    "x9wBdl4ffIIOoD0pRRLpxDSluBueIuqQuYjZlu5B2zorpbGLlKhn6VBi4DWkzhoTuhcTsP"
    "0Y+U+T6sVYU3apVNO78NV8cYS5Ne93vvverRwCP8hqkUCWw28AnCmhX0Cxr8AbU+NhZuL9"
    "mT183t0CvfNtvUNrR6WLO2elmsnjDIunfvW32sY92abmT2iGo9l5bHzM7bLQjr8UOANBWC"
    "EVQf5pBqSqgkFAwmRNcXrta7TwNkQAlk3OQ+4T+w8R6+5j+9Hu5JvRdG4EZaJA3JeNGsNY"
    "tKIIYT+Uji2uJKYbSSF05cHFeunSjUrZRp/cRlQvhvAAHXboIxoYCYwk6EWgBiTUpMSh45"
    "Vk4lQCEGBKsoeaFlC22uX5GpV19Kufri2j4/yblbKq54O2yNjROrlCgh4kmnEHyNek0rA4"
    "FgMUg3c3TDmhV0dPfd46k925dnZ2IzlThG2GRJNKBeYq6oEVzpHHSGg/+eA4oYXQTXPb/h"
    "6/7d8BwYxFlgf/410NzkXc3bPYG3E8FAXm/Y16mSM7YDpzgWXIfsEDfCO0KRPsGf0CI2Hq"
    "WG0XtogLQYmospnC/Dt0C/40/OnxcxZ8xu3122rzqNn+lURZHB+BfEJw12b8kINBaQB0qb"
    "q4LyOVJ5PcX2KmYKzHm4jHVN5CvyAJj/GuuqDg0AVZXYmIEDEVE7ZTPunfzCY+kJhbMm4J"
    "fCGBng+/eZ+f37q+QIfZuNJ4TqXxtuRWlPeS0nXbKO38swVDVXxO+utRKdp2T8fY062swQ"
    "bQbejKwIB1R2mKZHYGMnEGdJvEhPu4glXfCHJDl7cEClIDfz+RJbCqBL7JG4rxFKGqcJMR"
    "DEKWxJSDGC9IhrFtWVl5Ld+vQX/f51yKe/6Ead9vubiw4PoST6vJLOQqN0EuabsFRR5Zq/"
    "KDN/YeMnWTtBvbZ3me0t85MsleOfZ84Ka1WBHSnc8aqzmCqWz1JnMb1Eq6dlMeXIbimSMr"
    "ok+BFRC7rWiJFGofLmKtpIjdZcyxt9mSKKABF7XS1EwYHJf7jB4yugW+eS0eEt6I8IaBSO"
    "WVNKLIbMJphPIZP/jggDcA51ZsXJo0KuUDNIVWKQaoKjWIKjZugKdhRrBqnwhBtk5kHXq1"
    "9HOeuxldOqu7s6K75BnephfNTKgPFRKxVjURTJYtBSIF5Jfwa0au4zB/c51S1GaMIeyvQj"
    "JwIq5ThyQlyvMkdO1CF1+shTrZA65HZSDdHc6URBrY0Siso2tZQhn0iCGrdD7oyivtfOft"
    "kga0pRsO+Fkor4DYDe/fX1c2UVObgncENLg6STQvKhrGx0kNyLY5qGrkoOSaT1TCDWHUYJ"
    "iA04vCmCoQFURJk+FvV4M5T3hjnkwNtY7I9PSSHaVsP1Tp8SD0LNFTyP83phkouJCOhsh4"
    "so0Rki2w806qPsCsxFNyn5E6kJPmw6vgGVHfKUu2Ept9979/BoOrlkkRPvxtWg/W547ix3"
    "fMN39xc33eGwc3UOLHs00xm/xW/4tt3lAhPqmtiu8bFzKStQJLqTKG/f3g76n4WMz6uUPA"
    "rZ3Yfu7a1sZ6qbppBc9m9urztSVSUzU/gzQtruXXaur6VUQGkYUnrdv5Mig1ioJEfgkTm3"
    "mbIBgR3RK6pHVIlkdTDbgMuOKdaM9nrWFVtz1y3PylEFVMrBUVXrWFR7JIZWZQqtaa6lho"
    "he3ffX9/2Z2DOijBGOA52+6T+kVCFmaGvb/kXziEMkUkDcBJDMy+lx1XpZZ72/6sG2QYJg"
    "SLNOty0PjR1PCFw65Ztl0od0a0uX2dJ1wm/6ULqf61R1wu9LtPoWEn5Dk/wyqfaJ59pFM3"
    "n3cqSPH24XPmKfIapD44lI3bjN7OE7kwmmwCrXU/uU31KFulSRi6nLvpWwnhrsd+lLqrNg"
    "rWwfnTLFF22QBsa6gZzDDbnUawdYBmHgQGQtvhLHKIhzDcW6179l7jtGc2QxqSAPW0hIsi"
    "/mElk+chVcMheXqD9yVdLFV2mcGP4reC23fgVXBov4yBXLRRp69SsIbuvkJAO6vFYqvLIs"
    "RrQwQZdIoHLgHNWrIN4FJNvr/0sAOXWY9qpX6fSvrXGy1hS2Tk5zjbtLjbqzZuisc11LGn"
    "pTe+uyfr2CkJA4j/TJNM9JzL5CDWfCy09squaar3yNHaawOIfNFbWOW3SGSM3ZpkO/n+xd"
    "Fs72mfYWlM7CL3FzQdmM8OTdBc98ZGmQQUw6fiJMMK44fSJSMRMxFlACumXZSAOjheSkLt"
    "v8FyX2ZCorcd2Ur7Tnb6LeQVDikaa5gsSq09sL9KQe0EKxlrx2ZohDWjvLs91RjnsB7IrE"
    "SpmiH7kCg5BW5TbCbB9mORFQRcuVBhdSqtx+jZM3WRLgeK1UmGVZctpsPqDDWhUcnQvFuk"
    "5R3tFeiGfad/KyoK531RWcpYwJU0ZozMPxvAxZWLOCDNmeMGKZkleFseCYJVEx6628VNyN"
    "kXc5flXJxnu4QdZhZHKOnY3u3d292IvqaIsdsL3OF2cDrMhVkpLP/U+O5JE8lGW/KkWmAV"
    "WkKaNFbnY6rlvQolpVeaOgGWSf2GBRKKxZb9co82gobOWcJ6NQBK18W94SletNbxk2vfl0"
    "u2KiWRzz9G8zJqhWIvZf9VIV8ZnGes07vfdXd8273qdUNaun7VMqQaZD2Sa1l5joUDIbPD"
    "nPIcspikHvbiYeNOmMlDz7owbOEYIDt7U9HNyeZZNUFLaExJAEZNOTQ9yTHBUarL02Q6Tt"
    "nQAJPD3AxCdB5tAC4vwE+d1ZbiQbaa/OAS+YEXcbk/zMSCAxBGJt2UY8jaTA6yR/qiScKr"
    "MEpf5gSWnmgSZIT0MJduLs8aavU4mgp2gqbcOTVbZ7rErZQN9fxzYezwTZgLzjWVy3zufd"
    "lpsbmZye6Ozm259eNoNk9Xnj/bFMGb5tRHV1muTDuSUrXTfo11nnsKXjuuWU25fi6DxxL1"
    "K6C7PBIXFPPRyubO/2DvYti5cqB8Ju9Qqi++bwMIt/eHiY7iCKssRd4XGE089QDajs/gzV"
    "5/ELt3Zaao7Tk7Y/mf38B6f5P6k="
)

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


# Orders paid before the invoice table existed get their invoice request (issued by staff).
INVOICE_BACKFILL = """
        INSERT INTO "invoice" ("order_id", "state", "provider", "emails_sent", "created_at", "updated_at")
        SELECT o."id", 'pending', 'manual', 0, NOW(), NOW()
        FROM "orders" o
        WHERE o."status" IN ('paid', 'rejected', 'approved', 'shipped', 'completed')
        AND NOT EXISTS (SELECT 1 FROM "invoice" i WHERE i."order_id" = o."id");"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return (
        """
        CREATE TABLE IF NOT EXISTS "invoice" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "state" VARCHAR(16) NOT NULL,
    "provider" VARCHAR(16) NOT NULL,
    "file_key" VARCHAR(255),
    "sha256" VARCHAR(64),
    "size" INT,
    "issued_by" VARCHAR(64),
    "issued_at" TIMESTAMPTZ,
    "emails_sent" INT NOT NULL,
    "last_emailed_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "order_id" BIGINT NOT NULL UNIQUE REFERENCES "orders" ("id") ON DELETE RESTRICT
);
COMMENT ON COLUMN "invoice"."state" IS 'PENDING: pending\nISSUED: issued\nCANCELLED: cancelled';
COMMENT ON TABLE "invoice" IS 'The invoice of one paid order: requested at payment, issued by the provider.';
        ALTER TABLE "material" ADD "original_path" VARCHAR(255);
        ALTER TABLE "material" ADD "reviewed_by" VARCHAR(64);
        ALTER TABLE "material" ADD "status" VARCHAR(16) NOT NULL DEFAULT 'pending';
        ALTER TABLE "material" ADD "reviewed_at" TIMESTAMPTZ;
        ALTER TABLE "material" ADD "original_content_type" VARCHAR(64) NOT NULL DEFAULT '';
        ALTER TABLE "material" ADD "reason" VARCHAR(200) NOT NULL DEFAULT '';
        COMMENT ON COLUMN material."status" IS 'PENDING: pending\nACCEPTED: accepted\nREJECTED: rejected';"""
        + INVOICE_BACKFILL
    )


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "material" DROP COLUMN "original_path";
        ALTER TABLE "material" DROP COLUMN "reviewed_by";
        ALTER TABLE "material" DROP COLUMN "status";
        ALTER TABLE "material" DROP COLUMN "reviewed_at";
        ALTER TABLE "material" DROP COLUMN "original_content_type";
        ALTER TABLE "material" DROP COLUMN "reason";
        DROP TABLE IF EXISTS "invoice";"""


MODELS_STATE = (
    "eJztXWtz2ziW/SsofRl7S0k5ynM8W1sl20paaVvySnLSO3EXTVGQxTEFsEnQinc2/30B8C"
    "G+RciiRNL4ksgkLkiei+fBwcW/W0s8g4b9+iuetk7Bv1tIXUL6I3y5DVqqaa4vsgtEnRo8"
    "3b+8BFObWKpG6KW5atiQXppBW7N0k+gYsYRDBIGDdALwHMzgHFoWnIEVth5eM/sZ1mgGOr"
    "rfnJTe+cuBCsH3kCygRQ1+/Ekv62gGf0Kb/fmjZROVOPxFLQcpKmn9yZKYD8pch8Ys8qH6"
    "jCXj1xXyZPJrZ/p9H5HPPC17uamiYcNZonV684ksMAoMdETY1XuIoKUSyJ5ALIehgBzD8L"
    "DygXE/YJ3EffOQDf1m1TEYlszafYH1tZaiDIYTZdybKEorgbNvEcLTu6RhxHxEX9XmANyz"
    "V3j1907n7duPnZO3Hz69f/fx4/tPJ59oWv6+yVsff7kvs0bLzYpj1v/SH0zYC2FaENzCwS"
    "784jYqUV0r7qA1+g/045P4ny9UKx19P30Mf/phcfx9tPMc4F9Ye2BdePfhgqX6UzEguicL"
    "+ueHdznofuuOzn/rjo4+vDuOQjzw7nT4LQb2GlxTfTKwmoLv1/FwkI5vyCQG8UzXCPg/YO"
    "h2oqjvCurWf84dpDEUwdTRDaIj+zV77H+1SnJADuAMIpbz0rb/MsJAH111/4j74PxyeMYh"
    "wza5t3guPIOzmEPWzVKyvPeQs+Q+6dNXVJEGE75ZW++v9LdMiGYMQjEPtK57g4v+4Msp8O"
    "xv0ehmMOBXaIuM+JWL4aB3CmYYQfq7172gv6Fb9ESrzpsPBarOmw+ZVYfdinpKJQQuTZLi"
    "q8yOIWyyuXvYlYNOyu0eOm/efXz36e2Hd0GvEFzJ6wz8hj80nqD+2gLUuNn+gP1UE2C9AU"
    "4C0guKB9GXMB3XtVW8mffMXvs/ativ5uA36V/1xpPu1XWkbb/oTnrsTodffYpdPYo3HEEm"
    "4Ht/8htgf4J/0sYs3gUE6Sb/bLF3Uh2CFYRXijoLY+Jf9i9F3DuDM8eEygN8EhkmRa226i"
    "68sWhFBqvR5r7zqUh73/mU3eCze9F6ZGDtAc6UqRDOEaOdwNzwIakHmIOIboi2WXHbHbRc"
    "FUO/SQ2XodpEoVN3bCX9PIE/M/r7qFUTalSeT3t/TPLnGIFLL4eDL37y+MQjWsM0CzJsth"
    "gTRC0bOC5o0Q+cDZHx5JWSmlQ3r0Dn1jbHnG3p9ail9HpVvJ7SyHpvv/b6XEe6vdjK7TFT"
    "2ZdWx81u7WaE9fwhRJqyC1NVe1ip1kyJ3IlMBlNm12ee1effR9BQOZBJl68J/5GDaljNf/"
    "kl3L/qVxiGG+7gLCSTt5adZfyKitR7/kns2exJUbTSF048HHPXThTLS1Ro/cRjQuj/QAXU"
    "ug3m2ALYZH7Clg1UNONXTAs/UqzcRMBSEcBIg+kLLTvIc/OKjFx9qeTqi+d7cZJzv1Rc+X"
    "7YGRvHVilhyownm0JYW8g1rQIEgk1Ua7uBbtSygQPduo945Mj25fkZO0TDrhO2WRINmVeY"
    "K2qFVzpHvcnof06BBYn1FF73vEWXw/HkFBjYXWA//BqoMHknebtn8HZsMiA6Gl7bNGkwto"
    "dBcWJyHfFD0gmfsQX1e/Q7fEq0R5nT6Bo6IGsOTS9b6iqYvoXKHf1y+r2QuG12d3zevei1"
    "fmVTFWVOxr9D2mmQG5vPQBMT8tDddt6kfAU1mk5x/ISFJuZ0uoz0GdMr0gkw/W+ua7pqAF"
    "XTsIMIOGIzavfeko5OXtG59L2lLtuAPgohaIC7u6V5d3ecPkPfZeYpU/UfLS8h9yd/liuX"
    "lPP3KjRV7Zz5u+et1MFTOv5rCznbLDDbDNWMogiHTPYo08Nqay8QFxFeZMsuEqIL+pFYsA"
    "SHTEoaZh5O2FICXeJM2XtNYVo7jbEBVZTBlkQMY0hPqWVZRTm4st8x/dlweBkZ05/144P2"
    "m6uzHp1CcfRpIp1EWuk0zLdhqeLGkr+oMn/hoGd5O8Vc+rvK/ub6JFuj+Iv0WVGrJrAjpQ"
    "+8pIqpYXoWqWJ6iV7PUjEJqFvKpIzOMXqElq163kiQRpH77TzaSIun3MgbfV9ACwLM9rra"
    "0AJHJv3HmzweA90+5YwOzUF/hGBmqXPS5ldsAs02WC1Uwv+cYgLUlaoTO0kelfIEySA1iU"
    "GSBEe5BIdk6EoeKEoGqXTBDTRF0PXTy1nOZmx5t+rtri6Kb9imeRi/7RTA+G0nE2N2K6Zi"
    "mGVAnEt/hqwk9ynAfS50m2ArZQ9ldsiJkEk1Qk6w5zUm5IScUme3PM2aUkeGndYMWsJyor"
    "DVVoKiqnUtVdATcVCTfhBWFA39fOrlg6KSonDZi4iK6AuAwc3l5aFURS7uKdxQ4JBsUoh/"
    "lF2MDuJ7cUzT0DXOITFZz72KdJdRAmwDDs0KI9UAGrSIPmfpaDYWLQ0rlQLvILY/PkNCtK"
    "uM5U6fCjdC7Ryex61eCAsxESGb3XARFYohsvuJhgxlV6IW3bTwv6CWMobNxjdkskeecj8s"
    "5e5Lbw1D0/ElC0G8Wxej7ufJqbvccYvGN2dX/cmkd3EKbGe61Al9xVt03e3TC6aqz9h2ja"
    "+9c57Agqw4sfvd6+vR8Bu7RvtVCz+ya+Pf+tfXPJ+Fbprsyvnw6vqyx001vDTZeIZd7Q7O"
    "e5eX/CqD0jD41cvhmF8ysA0rEgIPr6jPlC0I7JhdWSWiSSSri9kWXHbCUDLam1lXZK+8YX"
    "lRjipkUg2OqllhUZ0pa1qVhWovhJYaYnay7G9ezfEg439vAbVv1zioS4kpaFKMoHCxjlo1"
    "DundF2r6jc5WFHfEUApvq0NoJ6WBNCs2QLdtT18lsJYXN5ULegILeuqSbTJU5jAF9ewoMR"
    "GjBi0l7CxODMseUoiYZjC1ROfor5KmUgewmeDwYdtCUR6xlN1ElbuJgMXZbutVxFZ6usqe"
    "ljtEspvSegob5A6Rl+j1HewQiXTywS6MZwZCjW/9qGVLn4yGGjsfaglR2nksIkBdu7nUsM"
    "YUAmlJv8fSVeOZKF152TQVppB25LkVb51Tg+qdkEQppJpBj1jXUqhaH9EhghNM/9mMa3+d"
    "VUMwjQSMdIy5bvgN0XOx+hzJrSFwCQrf/HY9RfoWavKzxW9mKFEh9ZsboQvQzAGXHvGw0y"
    "qKiNfcG0cq+O8R0Ogz28BNo6NXnrn32AwhXAnPkJq4umriHKLQl5pBUV1czE5q4zaSby5c"
    "HKFUoDcrjKI5VFkz1xp0J/1vvVPg/n+Lvo671/1TwP+LN0pF3LHjLam0qRPTmAQGVUa9Mk"
    "Wd9g1byabids3j9EtQ8hxocapyZXrHq1Ph1xAowjGzBjYXbzp5QK5VIh9zVCIfE52jvoQK"
    "/GnqVkrvmE9qxkwbyGrWl8VMktemBWkrL9QpBBbN6w4674tIlmmqzLrE7yVl7FuPMQPjPY"
    "rYHcR05i3BIebNwNWou9ZRxXpUS84U7J9vBheugn3u0HepiL6cPgrZKte1pu5Uza4VScum"
    "nXBcxrBU32bVLGQml8Or3Le4tX2b1fCwofRxlX3st9+CE5642f6mPCc1me/YkBBD+PD3qF"
    "XzBmi77/IRJvr8SYGPTE4n1uenmDYP8d0zJB5slrpKgp293Slq9awdTxXDe99bmzwk+Ukt"
    "Ak123Ew22QkBtZT/NUwIJuV/L9HrWfK/CkSzqpyHX2I4q6o54dnxrEa0Noz655O8eFbxKd"
    "8zFXUjnkmDwBZT0wnqnjy0UmRPaxyzVU/WOs1G0VPXY2TZ8X1HpmoR+uMYqJzH9TVG/wB3"
    "d0xw4qakLeTdHViqD9Cm6fgZsm7IdvqiXmZJ3VN5j5HSpwo34m2QL30KXC0yDU8YNk78JF"
    "UKdVEp0AGvLSZQWFs0LiLYp5MiKrGTbJnYSbzYWpB+pE2EadG4XeOgLiPGfs1Wra9Hw/Pe"
    "eNwffBGEPGR5Cta/WSS2c/b7FHg/blH3bDAcXXUvT4H/a7227f4fH+kchtT2ukMxOjtiJI"
    "nsIoGLNA3a9lbbusOWcoWzOkRPkt+TyxWHXa6QrHp2A1dPflWy6i/R60VYdY/5EebVo3ZN"
    "mpkellkP7Zd8JrfevB357Ri7Hi2Dwvx6mfSxv806hT8O7cDOJpBDO743M8iTBQSeAWN32V"
    "GfnNXlqw9M8OtNxcF602ob6Lbt0EtTl9NlAax1mjrJG+86c8kWV7hhauewxbWjJ0yIZt7p"
    "bULcRG9wwYkJz/4W9cfjG8Y3uKU6PXp7NVgIv6aJkBBhmz16hzadjhsIpY4axrluQOUBCl"
    "GiYZvmkT2d9+8LbeR5n7OR532C71monfcfREBeWzQP4hL4NP1/U5r0zA7VTy5juSbXodzO"
    "QXCVJGIkC+zmAusBJs5RRAwl/VsdRiJJRMGlqhu2YqdOgzPbppiV1ErHGyhDtYnCUdqqAq"
    "WYy2pU5WokWfzsqlVPPley+C/R63XSxr8QmizB34uQzBtV9H6AyrI19Ad1VlkK+mex9kF4"
    "3hTaPhy6N5u3X4ZTFYp36ZgGVmdwBhg9xANRMordzwfYBibgyCbQPGb0u+oFpkyPa7llXr"
    "foFjGan93/mw3cY+4A+36b8/dBBjoCjg3/wS9ixt7bLB/imQLVgkAnNljoNsHW0y06siBh"
    "8vF2cGwm8M4rsY/b4AGahL8ky8CCjzqkj30N2Jvw99fdpyNsLVVDt6nx1+veF5qrY1r6/Y"
    "K06S2wpE9glHUb3Dqdzod3oHNycgLMn8Hfb8DV2TEXtlMjHamG8h93d8B1xBSCFYvkyR7j"
    "xf5E5Jaf8wGOQhamShZ3d6c8nftqxIbGvE2tIaJZ/2DfS4vUn/SboKn4dvbd3XH7Ft3d0Z"
    "KJqJvo3zyLvxz6PeSJrYvQYrO0KQhMmE+fOMXktb6kObGkLOoow2m10LVFBCRgQ2jfIv70"
    "yLsDbYFtCAjmL+Iuviww/VNFTyv1qeACzI9IrWOubf0pF2WquSjDnJPAP4ce9dI3MCrb7s"
    "kmVu2FVlK89A0EtxR2nz6RsPV7DpQAznG7BuJdb6q/ctjuOlLMvpelKgdoyYV1pc/Smt7M"
    "0hqklytTydK6gGy0LIDm2kDCmVL5sWOlncWRU/kDiz3qK1ZQW7hUXh31Ff6MKQlz9gaAsE"
    "01zmdnz2vM+ezBbHjOJuRCs44U08btB9x9HQhQExy6JezkWmi8DQ8gEh1oJA1lF5kDr/DQ"
    "I8VSApwDsChFkTBsnuioFKoiwG1bziIzg8Z1hOVsjHdShoLFpedO2qCwFtrz7vl573rCpO"
    "aqpkGTuLHcv/bOJ24sd3dZJb4adJgBiwzFEW6GTorE4qCpspuhk5RoHHwBSDwYR8SseW3+"
    "7tucADJxIU3MVKrkqiOckSq55uuliqjkqqKXOrSHq7DjWcYSBc9TQp13x+fdi96htjp3nZ"
    "lOLvF9K0U0Fdxr54mmVJZKMbxkhVRTtDDM58A9/ecUrBYYzPSZJ+bBnmKGA9bmIphH1XCg"
    "DaZwTksVUNEMqHOSpaLaYd5ys3OF26Q2yNbVODa0+G+BUXbYRq7yFgmJqYmeLbm2aCDAuz"
    "/uy+0yBGO7hmxKmig26UQ1t9kXWaZcW1RjkZI9tjGLlLzrFfFGYCCdsXtnCM+p5Vy6fnNp"
    "PlwWnkuHrRq0wnfYqTQHdQdT6bGfT718UHQmHS57kZk0fQEwuLm8PNRU+rNjzHWDR21LmU"
    "yH7rbzptPzaLqN8+nv/haY864709XJwj8YIojyxShtYLF9Km2gQYvoc12jBaNNk9n2iiZr"
    "A3uhmyb1T3JWvfMn+DuWQumCZAD+pJ22DY4g0qwntmJ2DDBteYGDiG4AnbCNRRQ0/RFacM"
    "bn8Mi7utJNKM+0qHwL2M6ZuLvlSOHlKOmHnNNRo2ZSMpU8Z4EtNafO17NH1xGjaoywG6XJ"
    "pLec6VIn261gJa3lWmWV1yrlmvTL8DMb1Sh2sI+88La4qJlUeWxmoDlkCBMli8ZjtSoH7a"
    "hpXq2qH/Y5WLNakoVkBgNXAMhMKu4l4fgAn7ao+lErWfML7O228MzRtupLY6ayL61yX+qz"
    "Aoq2UBGCQrUqzbZ5dauEKNQ+bjbULJhSvybwZ+axEgnTJiCeV6N6f0zy54VBhbocDr74ye"
    "OTxQwPBDzXNu1cViayxatyi6dhx9LFQsCHTJpQ28pe82d8+gN9AUFlRcyseUiXsPOHEf5b"
    "NV5RS9liVbnFek4nJfumOnlaRqfNbkrrqRBJcbuMTlsxgYiImEFGpw21ubvek/EscYgryk"
    "nRhQRqnWxJSCAMKra7gn03NiDbcowdRNyAr4G+QrcBi3fKjnxjwWKBat1j1NFnYKHaCy61"
    "SN9XsZNcpTCjwi1PG1R9R8VhHVF6vFKPsGFVZiui0zds4O6KUsKCWLQ9Swd6c1wK37bKWL"
    "dGvW/93vfe6DSIPX2Lhte9UXcypNewyd4R02vdi6v+4BSos6WO4o3/YUhotlXoMcU5Z5ji"
    "rqLs/UWPaV6ZUquy3OI3QfudO54Nh5eR+cNZP04s31yd9SjqHHSaSCeRpj50GKJ/KBCBS5"
    "OkBGrJ7GJTLKXyLgGvbtlEmW97cFOKuSRJqjNbTpIkBtYeqKu4XFnU2XFb6elKe5qdqWbg"
    "ex1teyBb2Fj6usq+loFmsjvMelKfWZvjBPi3+F74lLHTmWf4+fcRNNQMLX1KuI1a1vQE4R"
    "ZdDYS2/XyQOF02drOqYWXJRKrMjWkRzLIoyBCmG5hIxQ4l3chIdoGt3yM4e6UjMLXwymb7"
    "xRh3qGH8oMO/2YDgB7aHK2AQ+XYv1eaHUY1/677qvP+QpCR3l63kJGvKSXIHC7NlUSvJS2"
    "7kJTXbmmdqAXNUSVGzKvNklYEa/jR1OnrZYpQZtWzgKLMmo0o5mZCTiWpF2qich19iqI2q"
    "OeHZsTYOHLXyfB05opUyoQnfzp3PaLGExfQVobAVum07dG4xffIDZJCFhZ37BU9EbR8yxB"
    "TCWchZSoVbmrxZyoOeFsoiZzOgnhrDogkD5t0vEx9sv2UBoBNFvb4neHCslAX8KYJy1EpO"
    "tDfCzDsCS5kJxVSNGDXuGI73b4ps/6GpMmHm92LF2ZmyuDaCQEetGtg6l4q1KEsXt2tcLN"
    "vdNx94RcFQsAlR2oAvJ2RwzE5CvRFq08KsdIqgHDJpXCu9+z2am4K6ZDNkxWO61JQhqwkj"
    "VogI3RBxJt/LhQLO7M7JB9jA0ggf1/D4P5eREWw7W/3x+Iad6udas3P+Br3v7jF/iAVvY1"
    "e+DX93rzziB1iZc/9MQ9X48XLC7HTStqRo0E3ljSLhAVmZ2C46YMhS6gir3BoyX2lc4qRs"
    "c95minHzAlHsfjgZotsVEy6TmGeHNEoxbcTcf98xjeSad3bpb+6at4wY0TSvp/RyVYkYUb"
    "VOrQpCh30fz1kxHzw7EkSRM0XCo7sl+1DrmRr3EZswqsbIy62GjdtBZO5x2FKEISnIZotD"
    "LDexYoVTF9C7e3bAtwOEHaCyUm1gQ0TAEbYAdZIDZ8engN5Y0sYXYASBSZOGhSHsMFI/jz"
    "QBfGnPSdGa/IhLZQJQ/pQylKr0A22Qd7LKuhAXn2+ubRox6SmbSmP1bptoh2uzBg506zuw"
    "TVFuh9gA0fYsaSv1vLsa5sY6p2cOdmPy0Zo5pOiYN1keq6Twpd4au5uHUoZx65u5AzhX5x"
    "ek2zh0Y2fS8Rg4wLWyAZ7zERN9XtsX6LqyNmBSHxC+q5CdPnd0dxcqNK/XAsO7u+Pk0K3E"
    "50iZcIUbsLzxWXWUrI3WWJrOgwj77yVvxOB334w/xU5BFFlBvAObJixsHQLzqRtFKKUxz4"
    "udFrPcYwC14EptI6hZmGy5yhG1lEv3lZ77yRXMhq1lyRXMl+j1rBVMgcBPZU58u3Q4ry1a"
    "KbNe7047b8qrrtNsmu5m+3nHk8iXMoN8ZsjQ7LnhI7T8eEtFJ4Yhk0ZMXvYQDZpVKgGEve"
    "QNRPfNyUmRhZGTk+yVEXYvpv/CiECU0olmHz8fMtn/4fOHGRTv7Jj5g3Zmv/4fopj4iA=="
)

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "invoice" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "state" VARCHAR(16) NOT NULL /* PENDING: pending\nISSUED: issued */,
    "provider" VARCHAR(16) NOT NULL,
    "file_key" VARCHAR(255),
    "sha256" VARCHAR(64),
    "size" INT,
    "issued_by" VARCHAR(64),
    "issued_at" TIMESTAMP,
    "emails_sent" INT NOT NULL,
    "last_emailed_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "order_id" BIGINT NOT NULL UNIQUE REFERENCES "orders" ("id") ON DELETE RESTRICT
) /* The invoice of one paid order: requested at payment, issued by the provider. */;
        ALTER TABLE "material" ADD "original_content_type" VARCHAR(64) NOT NULL DEFAULT '';
        ALTER TABLE "material" ADD "reason" VARCHAR(200) NOT NULL DEFAULT '';
        ALTER TABLE "material" ADD "reviewed_at" TIMESTAMP;
        ALTER TABLE "material" ADD "original_path" VARCHAR(255);
        ALTER TABLE "material" ADD "reviewed_by" VARCHAR(64);
        ALTER TABLE "material" ADD "status" VARCHAR(16) NOT NULL DEFAULT 'pending' /* PENDING: pending\nACCEPTED: accepted\nREJECTED: rejected */;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "material" DROP COLUMN "original_content_type";
        ALTER TABLE "material" DROP COLUMN "reason";
        ALTER TABLE "material" DROP COLUMN "reviewed_at";
        ALTER TABLE "material" DROP COLUMN "original_path";
        ALTER TABLE "material" DROP COLUMN "reviewed_by";
        ALTER TABLE "material" DROP COLUMN "status";
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
    "bULcRG9wwYkJz/4W9cfjG8Y3uKW6GnyDX6dE6IawzR79QBtJxw15Uke14lw3oPIAhcjPsE"
    "3zaJ3O+/eFtuy8z9my8z7B7CzUzvsPIiCvLZoHcQnMmf6/KY13ZtfpJ5dRW5MrTm43ILge"
    "EjGSBXZzgfUAE2cjIoaS6K0O95CknOBS1Q1bsVMnvJltU8xKqqLjDZSh2kThKG1VgVLMZT"
    "WqcjWSfH121aoncyv5+pfo9Tqp4F8IIZZg6kXo5I16eT8UZdlq+YM6qyyt/LP4+SAQbwpB"
    "Hw7Sm83QL8OpCkW2dEwDqzM4A4we4iEnGZnu5wNsAxNwZBNoHjOiXfVCUKZHsNwyr1t0ix"
    "ihz+7/zQbugXaAfb/NmfogAx0Bx4b/4Bcx4+ltlg/xTIFqQaATGyx0m2Dr6RYdWZAwoXg7"
    "OCATeCeT2Mdt8ABNwl+SZWDBRx3Sx74G7E34++vu0xG2lqqh29T463XvC83VMS39fkHa9B"
    "ZY0icwcroNbp1O58M70Dk5OQHmz+DvN+Dq7JhL2KmRjlRD+Y+7O+A6YgrBisXsZI/xonwi"
    "cstP9ABHIQtTJYu7u1Oezn01YkNj3qbWENGsf7DvpUXqT/pN0FR8O/vu7rh9i+7uaMlE1E"
    "30b57FXw79HvLEVkBosVnaFAQmwadPnGLyWl/SnFhSFl+U4bRa6NoiAhKwIbRvEX965N2B"
    "tsA2BATzF3GXWRaY/qmip5X6VHCp5Uek1jHXtv6Uyy/VXH5hzkngn0OPeukbGH9t92QTq/"
    "ZCKyle+gaCWwq7T59I2Eo9B0oA57hdA/GuN9VfOWx3HRNm38tSlQO05MK60mdpTW9maQ3S"
    "y5WpZGldQDZaFkBzbSDhTKn82LHSTt3IqfyBxR71FSuoLVwqr476Cn/GlIQ5W+oftqnGSe"
    "zseY05iT2YDc/ZhFxo1pFi2ridf7uvAwFqgkO3hJ1cC4234QFEogONpKHsInPgFR56pFhK"
    "gHMAFqUoEobNEx2VQlUEuG3LWWRm0LiOsJwt8E7KULC4yNxJGxTWQmXePT/vXU+YzlzVNG"
    "gSN2r71975xI3a7i6rxFeDDjNgkUE3ws3QSZGoGzRVdjN0khJ3gy8AiYfdiJg1r83ffZsT"
    "QCYupImZSpVcdYQzUiXXfL1UEZVcVfRSh/ZwFfY2y6ih4HlKqPPu+Lx70TvUpuauM9PJJb"
    "5vpYimgnvtPNGUylIphpeskGqKFob5HLjn/JyC1QKDmT7zxDzYU8xwwNpcBPOoGg60wRTO"
    "aakCKpoBdU6yVFQ7zFtua65wm9QG2boax4YW/y0wyg7byFXeIsEvNdFTJNcWDQR49wd7uV"
    "2GYBTXkE1JE8UmnZ3mNvsiy5Rri2osUrLHNmaRkne9It4IDKQzdu8M4Tm1nEvXby7Nh8vC"
    "c+mwVYNW+A47leag7mAqPfbzqZcPis6kw2UvMpOmLwAGN5eXh5pKf3aMuW7w+Gwpk+nQ3X"
    "bedHoeTbdxPv3d3wJz3nVnujpZ+EdABPG8GKUNLLZPpQ00aBF9rmu0YLRpMtte0WRtYC90"
    "06T+Sc6qd/4Ef8dSKF2QDMCftNO2wRFEmvXEVsyOAaYtL3AQ0Q2gE7axiIKmP0ILzvgcHn"
    "lXV7oJ5ekVlW8B2zkTd7ccKbwcJf2Qcw5q1ExKppInKrCl5tT5evboOmJUjRF2ozSZ9JYz"
    "XepkuxWspLVcq6zyWqVck34ZfmajGsUO9pEX3hYXNZMqj80MNIcMYaJk0XisVuWgHTXNq1"
    "X1wz4Ha1ZLspDMYOAKAJlJxb0kHB/g0xZVP2ola36Bvd0WnjnaVn1pzFT2pVXuS31WQNEW"
    "KkJQqFal2TavbpUQhdrHzYaaBVPq1wT+zDxAImHaBMTzalTvj0n+vDCoUJfDwRc/eXyymO"
    "GBgOfapp3LykS2eFVu8TTsWLpYCPiQSRNqW9lr/oxPf6AvIKisiJk1D+kSdv4wwn+rxitq"
    "KVusKrdYz+mkZN9UJ0/L6LTZTWk9FSIpbpfRaSsmEBERM8jotKE2d9d7Mp4lDnFFOSm6kE"
    "Ctky0JCYRBxXZXsO/GBmRbjrGDiBvwNdBX6DZg8U7Z4W4sWCxQrXuMOvoMLFR7waUW6fsq"
    "dpKrFGZUuOVpg6rvqDisI0qPV+oRNqzKbEV0+oYN3F1RSlgQi7Zn6UBvjkvh21YZ69ao96"
    "3f+94bnQaxp2/R8Lo36k6G9Bo22Ttieq17cdUfnAJ1ttRRvPE/DAnNtgo9pjjnDFPcVZS9"
    "v+gxzStTalWWW/wmaL9zx7Ph8DIyfzjrx4nlm6uzHkWdg04T6STS1IcOQ/QPBSJwaZKUQC"
    "2ZXWyKpVTeJeDVLZso820PbkoxlyRJdWbLSZLEwNoDdRWXK4s6O24rPV1pT7Mz1Qx8r6Nt"
    "D2QLG0tfV9nXMtBMdodZT+oza3OcAP8W3wufMnY68ww//z6ChpqhpU8Jt1HLmp4g3KKrgd"
    "C2nw8Sp8vGblY1rCyZSJW5MS2CWRYFGcJ0AxOp2KGkGxnJLrD1ewRnr3QEphZe2Wy/GOMO"
    "NYwfdPg3GxD8wPZwBQwi3+6l2vwwqvFv3Ved9x+SlOTuspWcZE05Se5gYbYsaiV5yY28pG"
    "Zb80wtYI4qKWpWZZ6sMlDDn6ZORy9bjDKjlg0cZdZkVCknE3IyUa1IG5Xz8EsMtVE1Jzw7"
    "1saBo1aeryNHtFImNOHbufMZLZawmL4iFLZCt22Hzi2mT36ADLKwsHO/4Imo7UOGmEI4Cz"
    "lLqXBLkzdLedDTQlnkbAbUU2NYNGHAvPtl4oPttywAdKKo1/cED46VsoA/RVCOWsmJ9kaY"
    "eUdgKTOhmKoRo8Ydw/H+TZHtPzRVJsz8Xqw4O1MW10YQ6KhVA1vnUrEWZenido2LZbv75g"
    "OvKBgKNiFKG/DlhAyO2UmoN0JtWpiVThGUQyaNa6V3v0dzU1CXbIaseEyXmjJkNWHEChGh"
    "GyLO5Hu5UMCZ3Tn5ABtYGuHjGh7/5zIygm1nqz8e37BT/Vxrds7foPfdPeYPseBt7Mq34e"
    "/ulUf8ACtz7p9pqBo/Xk6YnU7alhQNuqm8USQ8ICsT20UHDFlKHWGVW0PmK41LnJRtzttM"
    "MW5eIIrdDydDdLtiwmUS8+yQRimmjZj77zumkVzzzi79zV3zlhEjmub1lF6uKhEjqtapVU"
    "HosO/jOSvmg2dHgihypkh4dLdkH2o9U+M+YhNG1Rh5udWwcTuIzD0OW4owJAXZbHGI5SZW"
    "rHDqAnp3zw74doCwA1RWqg1siAg4whagTnLg7PgU0BtL2vgCjCAwadKwMIQdRurnkSaAL+"
    "05KVqTH3GpTADKn1KGUpV+oA3yTlZZF+Li8821TSMmPWVTaazebRPtcG3WwIFufQe2Kcrt"
    "EBsg2p4lbaWed1fD3Fjn9MzBbkw+WjOHFB3zJstjlRS+1Ftjd/NQyjBufTN3AOfq/IJ0G4"
    "du7Ew6HgMHuFY2wHM+YqLPa/sCXVfWBkzqA8J3FbLT547u7kKF5vVaYHh3d5wcupX4HCkT"
    "rnADljc+q46StdEaS9N5EGH/veSNGPzum/Gn2CmIIiuId2DThIWtQ2A+daMIpTTmebHTYp"
    "Z7DKAWXKltBDULky1XOaKWcum+0nM/uYLZsLUsuYL5Er2etYIpEPipzIlvlw7ntUUrZdbr"
    "3WnnTXnVdZpN091sP+94EvlSZpDPDBmaPTd8hJYfb6noxDBk0ojJyx6iQbNKJYCwl7yB6L"
    "45OSmyMHJykr0ywu7F9F8YEYhSOtHs4+dDJvs/fP4wg+KdHTN/0M7s1/8DzZzxTg=="
)

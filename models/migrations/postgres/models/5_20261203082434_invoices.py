from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
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
COMMENT ON COLUMN "invoice"."state" IS 'PENDING: pending\nISSUED: issued';
COMMENT ON TABLE "invoice" IS 'The invoice of one paid order: requested at payment, issued by the provider.';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "invoice";"""


MODELS_STATE = (
    "eJztXWtz27iS/SsofVlnS5NylOf6bm2VbCsZZWzJK8vJ7I2naIiCLI4pgEOAVrx3578vAJ"
    "IS3yJkPSgaXxIZRIPkabz6dKP5r8aMjJFNX38lo8YJ+FcDwxniP6LFTdCAjrMsFAUMjmxZ"
    "78+gwogyF5qMF02gTREvGiNqupbDLIJFxT5GwMMWA2QCxmiCXBeNwZy4D6+F/JiYvAEL36"
    "+uyq/85SGDkXvEpsjlAj/+4MUWHqOfiIo/fzQog8yTD+p62ICs8Yeo4jwYEwvZ49iLWmNR"
    "TZYb7MmRZafWfRezz7KueLiRYRLbm+FlfeeJTQleCFiYidJ7hJELGRJ3YK4nUMCebQdYhc"
    "D4L7Cs4j95RIa/M/RsgaWQ9h9gWdYwjF5/aFx3hobRSOEcSkTwDIpMgoWO+KNSCcC9eIRf"
    "/qPVevv2Y+v47YdP7999/Pj+0/EnXlc+b/rSx7/9h1mi5TclMet+6faG4oEI7wh+5xAFf0"
    "sZyKAvJRW0RP+Bv3wa/7MpdLPRD+sn8OcvlsQ/RLtIAWHBUgPLzrsLFczgT8NG+J5N+Z8f"
    "3hWg+609OPu1PTj68O5VHOJecKUlLwmwl+A68MkmMAPfr9f9Xja+EZEExGPLZOD/gG3RVF"
    "ffFNSN/5x42BQogpFn2czC9LW47X81tqSAAsAFRKLlGaV/2VGgjy7bvyd1cHbRP5WQEcru"
    "XdmKbOA0oZDltJTu7x3szaROuvwRITZRSjdL6d31/oaD8FhAqKaBxlWnd97tfTkBgfwtHt"
    "z0erKEz8hYlpz3e50TMCYY8d+d9jn/jfyupzp03nwoMXTefMgdOuJSXFOQMTRzWIaucheG"
    "qMjq5WFTCjre7vLQevPu47tPbz+8W6wKi5KixSCc+CP7Ca6vNUBNiu0O2E8HAmywwUlBes"
    "7xYNYMZeO6lEpO84HY6/DHAa6rBfgNu5ed62H78io2t5+3hx1xpSVLnxKlR8mJY9EI+N4d"
    "/grEn+CffDJLLgGLesN/NsQzQY8RA5O5AcdRTMLisCim3jEaew4yHtCTyjYpLrXWchHsRS"
    "uyWY1P961PZeb71qf8CV9ci48jm5gPaGyMlHCOCW0E5ppvSQPAPMwsW3XOSspuYOaqGPp1"
    "mrhsSJnBTXfipvU8RD9z1vu4VB1GVJFOO78Pi22MhUov+r0vYfWk4REfYaaLBDZr7Anikj"
    "XcFzT4C4772H4KesmBDLegQxeONs8Zr6n1uKTWelW0njHJBk+/1PrEwhadrqX2hKheS6uj"
    "Zn90C8J68hAhTUXBCJoPc+iOjdiVmDGYYV2fBlKffxsgG0og0ypfEv4DDx/gMP877OFhaT"
    "hgBG6kRfKQTF+atWbJEojhvXwlcW9xpzha2Y6TAMdC34nhBpVK+U8CJoT/DyDg0k0wIS4g"
    "jtATcSmAeCxLHJc8cqz8SsCFGBBsomxHywbaXO2R0d6XSnpfAt2rk5y7peK2r4eNsXHCS4"
    "kyLJ58CmEpoX1aJQgEyqC73kY3LlnDje6h73j0zvbl6Zl4zCS+EtZxiUbEK8wVNaKezkFn"
    "OPifE+Ai5j5F/Z63+KJ/PTwBNvEd7Pv3gSqTd5q3ewZvJ4wB1d3wUqZOm7EdbIpTxnVMD2"
    "klfCYusu7xb+gpNR/lmtEHqIA8G5oXu3C+MN8i/Y6/OX9fxPw5u3191j7vNP7Opyq2aYx/"
    "R3zRYDdUWqApgzxytVlklM+RyesZXlixlGHOzWVsjUW8IjeA+X8Ty7SgDaBpEg8zcCQsav"
    "/ajO9OfuG29L0LZ03Ab4UxssHd3cy5u3uVbaFvsvEMU/1HI6go9Snv5YdLavu9ClNVs8B+"
    "D7SVuXnKxn8poa3NEtZmZGSURTgissMwPQIbO4G4TOBFfthFKuiCvyRR7MERkS1tM/cX2L"
    "IFusQbiecaoax5mhAbQZzDlsQEE0iPuOS2uvKiZLd7+tN+/yK2pz/tJjftN5enHW5CSfR5"
    "JYvFZukszNdhqZLCmr+oMn/h4WdpO0Nc67vK+pbxSdTk+KusWXGpOrAjW9946SimmsWz6C"
    "iml6j1vCgmheiWbVJGZwQ/IpfCQBsp0ih2vVlEG5nJmit5o+9T5CJAxFlXilxw5PB/AuPx"
    "FbDoiWR0eAvWIwJjF05YU5ZQhpwmmE8hk3+OCANwDi1G0+TRVu6gGaQ6MUia4NguwaEZui"
    "1vFDWDtPWAG+SooBvW11bOamzlshqcri6Lb1Smfhi/bZXA+G0rF2NxKRHFMM6BuJD+jEhp"
    "7lOB+5xalBE34wxlfsqJiEg1Uk6I+9Um5YQ2qfNnnnqZ1LFtpztGrnI4UVRqrYCiqi0tVY"
    "gnkqCm9aAcUdQP2zksHZQNKYr2vVhQEX8A0Lu5uNhXVJGPewY3tFBIPikkX4qWo4PkWRzH"
    "sS1TckgirOceYstnlIA4gMObIhjawEQusyaiHm/G5b1hDjnwHhbn43NCiDbVsD7pU+FJqF"
    "nA8/jDCxMlJiIisxkuokI5RDZvaOhUdluMRXdc8icyM/aw+fhGRHbIU+6Gpdx87z3A1HTS"
    "ZaGId+N80P48PPHdHbf4+ub0sjscds5PAPVGM4vxR7zFV+0uL3CgNRbHNb52zmQFF4nuJK"
    "63r64G/W+ijK+rLnkUZde/dq+uZDtTy3FEyVn/8uqiI0VNMnPEfkaUtntnnYsLWSqgtG1Z"
    "etG/lkU2oagiKfDInOvMWIPATshtq0fUiWT1MVuDy04JakZ7NeuK6TzYlpflqCIi1eCo6p"
    "UW1RuJqdWYQjpVcjUk5HTfX+3NCSCTf68BdShXO6i3klPQ4Rgh5W4dl6od0pvv1PwdvbUo"
    "7pigDrytDqGdDg3kTYkNOqVBfJWCLy8pqh16Cg49OBOHDI0JykA9P0tMTKhGroSN5YkRzS"
    "MOkYgZzOzRBfFXaVEdB7Ca4AhhWyOiPCapl4kqLxMLFme9o1cxWa3pKmtanxDJn0oPM7BB"
    "nxB5iVrfwAmR2CK/OIXxzESoyaMfBznTp7OhJr4PNUM463ssKkBd+a0c4IgpBdKMv49rQf"
    "uZKF0GzdQVpkjsyHMH3rKlGo07pRClSNQMfiSWmUHVhoj2MRoS/s9qXLvLpmqCaSxhpGdP"
    "LDuciJ6L1edYazWBSzHwLZzXM0LfIlN+fvCbE6lUKvrNz9AFeONAhh7JtNMQx4LX/AtHEP"
    "z3AJj8nk3g17HwL4F4cNucQLgt3EPHxB1qTJzHDP5QY6QaF5eQ07FxK8k3Hy6JUCbQqyOM"
    "4i1UOWau0WsPu986J8D//xZ/vW5fdU+A/C85KZVRx4aPpPKpTi3GZCFQZdQr09X52rBW2F"
    "RSrn6c/hYiefbknKpcn96wdyr6GApdOCFWw+niTasIyGWUyMeCKJGPqcXRmiED/XQsN2N1"
    "LCY1E6I1ZDUPl8VMk9eOi/gsr7QoLCTqtxy03pcJWea1cseSvJYOY197j7kQ3mEQu4dFnH"
    "lDcYt50/Nj1H3peMR6PJZcRLB/vumd+xHsE48/S0Xiy/mtMIUyrjXzpGr+qEhL1u0Lx9vY"
    "llrreM0iYtodXuW1xR/t63jDo4Jax1XWcTh/Kxo8SbHdmTzHB2LvUMSYrfzx97hU/TZom1"
    "/yMWHW5MlAjyKcTm3NzxCtH+KbZ0gC2Fw4T4Odf9wpLvWsE08Vw3vXR5sCJOWXWhSm7KSY"
    "nrJTAdQ6/K9mgWA6/O8laj0v/K8C2awqp+GXmM6qakp4dj6rAR8Ng+7ZsCifVdLke2ZE3U"
    "A2UiOw1aLpFOOeArQywp6WOOZHPbnLOiuDntoBIys+33fkQJfxH68AlDxuGGP0D3B3JwJO"
    "/Jp8hry7AzP4gCivJ78h66ds5w8aNJaOe9rebXToU4Un8SYoDn1aqFrFDE8J1i74SUcpHE"
    "qUAt/wUrUAhaVE7TKCfTouEyV2nB8mdpzsti7iL0mZMi2alKsd1NvIsX9gXuurQf+sc33d"
    "7X1RhDwieQKWv0UmtjPx+wQEP25x+7TXH1y2L05A+Gvp2/b/T+509kNqB8uhGp0dE9JEdp"
    "nERaaJKF3rWHdUUns4q0P0pPk97a7Yr7tCs+r5E9xh8quaVX+JWi/DqgfMjzKvHperk2W6"
    "X2Y9cl7ymdx6/U7kNxPserwPKvPr26SPw2PWGfxx5AR2PoEcOfG9mkEeThEIBAS7Kz71KV"
    "ld6X0QAb+BKQ6Wh1abwKLU40Ujn9MVCawtXjvNG2+6cc0WV3hiahawxQdHTzgIj4Ovtylx"
    "E53euSQmAvlb3L2+vhF8g9+rq8E3hGNKhW6IyuxQD3yS9PyUJ4cYrTixbGQ8ICXyMypTP1"
    "qn9f59qSM77wuO7LxPMTtT2Hr/QQXkpUT9IN4Cc2b9b8bknbt0htV11ta0x8lfBhT9ITEh"
    "3WFXd9gAMHU2Iiaoid7qcA9pygnNoGVTg2YavLlzU0JKR0UnJygbUmZIlNYaQBniehhVeR"
    "hpvj5/aB0mc6v5+peo9UOKgn8hhFiKqVehk1fGy4epKLcdLb9XZW0rVv5Z/PwiEW8GQR9N"
    "0pvP0M+itUpltvQcm8AxGgNBD8mUk4JMD9sB1CYMHFGGnFeCaIdBCsp/SAodozmiTArI44"
    "A0O7HlZm9xi2+xoP9lYxb1axF3Bm2L8nt8vep8AUee41r3U9bkV8AMMSj44ya49VqtD+9A"
    "6/j4GDg/F3+/AZenr2SUOReyMLSNf7+7u8U+WCME5iKvprhNkIkTM0ClQ+Hujusc8zeld3"
    "eywl8efwr2JHwLXCEzyl9WBLcf3d2NCHttzbjaqWhapO6kr5q8ZcucSkkXPVr8VV3eMqK8"
    "HOHEHc0poQgwAh4QcnwHxpTwPyF+msOnkk6MH7H+LIBv/KEdG9V0bAjlpPAvIB6D+jXMbL"
    "Z5GseBTO2zd0H9GoK7Fd6c35EJH7gESgHnpFwN8T5sEr1y2G4628quHT6VA3TLnXVujbOm"
    "3tzeuqivfT7p3jpFYpOrgOZSQMOZMfiJ52Z9z6Jg8C8kdhi5MEfm1CfJDjFyIbSY0jDnB9"
    "FHZarxjXNxv9p843xh9k6EGa1kdWSI1u5M3ebHwAI1xa1bSk57GZNz+AIi1Y1GWlAvkQXw"
    "Km89MiQ1wDp3WP39Z2W8plXxn+1bw1U466KzSD3TM3bWvj5rn3f2dcil7Y0tdkHuGxlOtM"
    "W1ZpETDYpahh1UK+VF451hMgF+3vcTMJ8SMLbGgeOIBG4eCVhTum4eoe0hCkaIb5sRgHgM"
    "4IRlnXPZcNv6mEuF56RmgTfIo8iVv1M6yLfNojKamyyTDMlU/arQUqKGAG/+Qw/+kqGY1S"
    "sis6UI9Tp9S8Of9lXItaVENag1cdvaUGty6VXRxkJAK2PzylC2qbUtfXi2tNwuK9vSUaka"
    "8VL7NaUlqBswpa/Ddg5LB2Ut6Wjfi1nS/AFA7+biYl+mdORT8xnGdPxD9Pnm9CReb6U9/T"
    "0Mtzxr+5auxaZhSuBFfgcRLQlcEV3ZBCZymTURn0jnrTmQ0jmv1gR0ajkO10/aqt74HcKY"
    "1Ei9RTWAfvJFm4IjhE33yeGd9xUgfOYFHmaWDSwmglg5aNYjctFY2vA4KJ1bDtLZjCs/Az"
    "YLDHe/HxmyHyl4S5Ji2tGXzrD7J8qx1/N31zGhauywaxVJwC95o5nF1vNgpaX1Cc/qHPpK"
    "77SDMwvrqTomqvVcZT2LXY1BF+eKSgdzx8V0eonVDLSEDBNm5NF4YlQVoB0XLRpVh4d9Ad"
    "ZilOQhmcPAlQAyl4p7STg+oKc1hn5cSo/8EieSXDL2zLXW0oSoXkurvJaGrIBhTiHGSGlU"
    "ZcnWb2xtISthiBtFposyxtcQ/cxNKJwSrQPiRSOq8/uw2C5cDKiLfu9LWD1pLOZoYMFzrT"
    "PP5TWiZ7wqz3gm8VxLLSVoRKQOo23bPn/Bpz/wB1CMrEiI1Q/pLRy1FYT/WpNXXFLPWFWe"
    "sZ6zSOm16ZA0rbOV5U+lhxkhkqF2na2sYgEiOltZRc5kPCs4xA/KyYgLWUTr5IeELAKDyp"
    "2uEO9NbASgKXOA+ZnBFvEVFgWUEVd87IOK7GHQvSe4ZY3BFNKpDLXIPlexkVZ1YEaFZ54m"
    "qPqJilp/XHpB2IghsxbRGQrW8HTFVvJuuXw+ywZ69cdwQtkqY90YdL51O987g5NFwsRb3L"
    "/qDNrDPi8jjnhGwsva55fd3gmA45mFk5P/fkhocVToMUM5p4TjDnH++aLHLK2MuNS21BJO"
    "Qbu1HU/7/YuY/XDaTRLLN5enHY66BJ1Xslhsqo98HCdMEs/QzGEZmWZyl9gMSR15l4LXci"
    "kzJusm8s8Q1yRJdazlNEliE/OBq0qGK6sqOymrNV1pTYtvbNjk3sLrfqAjKqx1XWVd60Qz"
    "+QvmYVKfeYfjFPi35Fn4jL3TaSD4+bcBsmFOLH1Guo2DHOkpwi3uDUSUPh8kSZdd+00d4G"
    "DJRWqbB9NimOVRkBFMVzCRBo1UXclItgG17jEa/2JhMHLJnIrzYoI7NAl5sNC/UcDIgzjD"
    "tWAQ5XEvSIHFKLj+tf1L6/2HNCW5uWY1J3mgnKRUsDJbFpfSvORKXtKk7iQ3FrAgKikuVm"
    "WerDJQo5+OxXcva+wy45I13GUeyK5SGxPamKhWpo3KafglptqomhKenWtjz1krz5aZIxoZ"
    "Bk30cqE9YyYqlouviKSt8D9UDUZPYYIMNnWJdz+VlbjsQ04whXIT2kqp8ExTZKU8WFmpLA"
    "oOA1qZOSzqsGHevJt4b+ctSwCd6uo7+gDDFuL4JVbGFP1UQTkupQ3tlTDLhcA1xko5VWNC"
    "tfuYyPs3ZY7/8Fq5MMtrie7sjUReG0Wg41I1nJ23irUqS5eUq10u281PH2TOwTCIg3DWhq"
    "8gZXBCTkO9EmrHJaJ3qqAcEandLL35M5qrkrrkM2Tlc7ocKEN2IIxYKSJ0RcaZYi2XSjiz"
    "OSXv4QBLLXRMGWRehtO/XJj1UnqHs6bPyCjOnY3u9fVN5/wk4HNu8aDT63wXBS5/xrlf8q"
    "3/m1/ySB6CO+zdhnaRY0OREGf0pMxOp2W3lA26rrxRLD2g6BPrZQeMSOo4wirPhkJXpgxx"
    "MlwEqdr3UzKF65eIYvPbyQjdbjholsY8P6VRhmgtbP9d5zTSPu/83l9fn7fOGFE3rWescl"
    "XJGFG1Ra0KgQ67/jxnxXTw7EwQZb4pEt3dzcSLus+McR8IgxHag6C1A5zc9hLmnoQtIzAk"
    "A9n84BDXr2y40dol4t0DORDKASY+oDKHFFCEGTgiLuBK8tD41QngF2Z88gUEI+DwqtHAEP"
    "Ex0rCNrAD4rd0nI9bkRzJUZgHKHzoMpSrrQBMUfVll2YnL25tLmVoYPdum0sS4Wyfb4VKs"
    "hhvdw93YZkRuR9gA1fksLavjeTe1zU0sTs/c7CbCRw9MIWX3vOn+WKUIX66ta//wUMY2bn"
    "mxcAPnx/kt6q3cuolv0skcOMCXooBM5I6J368ZBuj6YW3A4Tpg8lSh+Prc0d1dpNO8XgYY"
    "3t29Sm/dtngfHSZc4QmsaH9WnUjWWsdYOt6DCvsfVK/F5nfXjD/HzsAcWUW8FzJ1cGztA/"
    "ORn0UoYzIvyp2WkNxhArVFycFmUHMJW9PLEZfUrvtK237ag1kzX5b2YL5Ered5MBUSP23T"
    "8G3z7bw5bWRYvcGVZpHJC5d1Vpm7+XresBH5UizIZ6YMzbcNH5Eb5lsqaxhGRGphvOwgG7"
    "QYVAoIB9VriO6b4+MyjpHj43zPiLiWiP8imCGcsYjmf34+IrL7j8/vZ1O8sc/M73Ux+/v/"
    "ASAlvEM="
)

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
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
) /* A refund of (part of) a paid payment; ``out_refund_no`` makes a retry the same refund. */;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "payment";
        DROP TABLE IF EXISTS "refund";"""


MODELS_STATE = (
    "eJztXf1z2jga/lc0/JTO0E5KPo+9uRlCaEs3gRyQdm+bHUfYInhjJK8tl+b2+r+fJBv8DT"
    "bBxDj6paGyXtl+Xn0+7yP579qMaMiw330m41oT/F3DcIbYj2ByHdSgafqJPIHCsSHy/ell"
    "GNvUgiplSRNo2IglachWLd2kOsE8Yx8j4GCdAjIBGpogy0IamBPr8R2314jKCtDxw/qs7M"
    "pfDlIoeUB0iixm8O0PlqxjDf1ANv/vt5pNIXXEg1oOViCt/cGzmI/KREeGFnpRXePZRLpC"
    "n0yRdqE/dDH9IPLyhxsrKjGcGfbzm090SvDSQMeUpz4gjCxIEb8DtRyOAnYMw8NqAYz7An"
    "4W98kDNuydoWNwLLm1+wB+Wk1Rev2RMuyMFKUWw3lhEcDTS1IJ5j5ij2oLAB74I7z9R6Nx"
    "dHTWODw6PT85Pjs7OT88Z3nF88Yvnf10H8ZHyy1KYNb92O2N+AMRVhHcysETfgobSKFrJR"
    "zko//IXj6Of3sKrWT0F/kj+LMXi+K/QHuVAxYJvgf8yrsLF8zgD8VA+IFO2X9Pj1eg+6U1"
    "aH9qDQ5Oj9+EIe55VxriEgfbB9eETwaBCfh+HvZ7yfgGTCIQa7pKwf+Aoduxqr4tqGv/nD"
    "hY5SiCsaMbVMf2O37bf9UKcsAKwDlEvOSZbf9lBIE+uG79FvVB+6p/ISAjNn2wRCmigIuI"
    "Q/xuKV7fO9iZCZ902SNCrKKYb3zr3dX+momwxiHM54HaTad32e19bALP/g4Pbns9kcJ6ZC"
    "xSLvu9ThNoBCP2u9O6ZL+RW/XyNp33pxmazvvT1KbDL4U9BSlFM5Mm+Cp1YAiarB8etuWg"
    "w2KHh8b747Pj86PT4+WosExZNRgsOv7AfIL5awNQo2a7A/Z8T4D1JjgxSC8ZHlSfoWRcfa"
    "toN++ZvVv82MNxdQV+o+51ZzhqXd+E+vbL1qjDrzRE6lMk9SDacSwLAV+7o0+A/xf8zjqz"
    "6BCwzDf6vcafCTqUKJjMFagFMVkkL5JC7tWQ5phIeURPeaZJYauNhgtvLlqSyWq4u2+cZ+"
    "nvG+fpHT6/Fm5HBlEfkaaMc+EcMtoKzBWfknqAOZjqRt4+K2q7hZ6rZOhXqeMyoE0VtnQn"
    "VtzPI/QjZbwPW1WhRa3yaee30eo1xtKlV/3ex0X26MIj3MJUC3FsNpgThC0rOC+osRfU+t"
    "h48mrJnjQ3r0KvbG2OqW3o9bCl9HpZvJ7QyXpP73t9omPdnm7k9oipHEvL42a3dXPCevIY"
    "IE15whiqj3NoaUroSmgxmLC6vvCsPvw6QAYUQMZd7hP+AwfvYTP/uajhi9RFg+G4kQZJQz"
    "J+adaYRVMghg/ilfi9+Z3CaCUHTjwcV8ZOFMvLlCl+4jEh7C+AgFnXwYRYgJjcT8SyAcSa"
    "SDEt8p1h5WYCFsSAYBUlB1q2UOb6iIyMvpQy+uL5Pj/JuVsqrng/bI2N41FKlLDiSacQfA"
    "sZ08pAINgUWptNdMOWFZzo7vuMR85sX5+fiUNV4jphk5BowLzEXFEtGOkcdEaD/zSBhaj1"
    "FIx73uGr/nDUBAZxA+wvHwPNTd5J3u4ZvB1fDOSdDfs2VZqM7WBSHFtch/wQd8IHYiH9Af"
    "+KnmL9Ueoyeg8dkLaGZskWnC+Xb4F6x96cvS+ibp/dGrZbl53az3SqosjF+FfEBg16a4sV"
    "aGxBHrhaX7UonyOV5VOcRcZMC3O2XMa6xvWKbAHM/kx0VYcGgKpKHEzBAV9Ru9dmbHbylq"
    "2lHyw4qwN2K4yRAe7vZ+b9/ZvkFfo2C09Yqn+reRmFP8W9XLmkXL+Xoauqr1i/e95KnDwl"
    "4+9byNVmhtVmoGVkRThgskOZHoG1nUCcRXiRLruIiS7YS5KcNThgUtA08+WELQXQJc6YP9"
    "cYJfXThBgI4hS2JGQYQXrMLIuqysuU3c7pL/r9q9Cc/qIbnbTfXl902BJKoM8y6TTUSydh"
    "vglLFTWW/EWZ+QsHP8vbCebS32X2t9An2SrDP8+YFbaqAjtS+MRLqpgqpmeRKqbX6PU0FV"
    "MOdUuRlFGb4O/IsqHnjRhpFLpeX0UbqdGca3mjr1NkIUD4XlcbWeDAZP94i8c3QLebgtFh"
    "JejfEdAsOKF1kWJTZNbBfAqp+O+YUADnUKd2nDwq5A6SQaoSgyQJjmIJDsnQFTxRlAxS4Y"
    "IbZOZBd5FfrnLWYyuGVW93dVZ8gzbVw/iokQHjo0YqxvxSRMWgpUC8kv4MWEnuMwf3OdVt"
    "SqyEPZTpR04ETMpx5AS/X2WOnJBL6vSep1pL6tC009KQlVtOFLTaSFBUtqGlDHoiAWrcD7"
    "kVRf1FOfvlg6ySomDdC4mK2AOA3u3V1UupilzcE7ihpUPSSSHxUnY2OkjsxTFNQ1cFh8Rl"
    "PQ8Q6y6jBPgGHFYUwdAAKrKoPuH5WDEWqw1zyIB3MN8fnyIh2lbBcqdPiTuh+gqex21emO"
    "RiIgI22+EiSnSGyPYXGvIouwK16KZF/kRqwhw2Hd+AyQ55yt2wlNuvvXt4NJ0IWeTEu3Y5"
    "aH0YNd1wxx0e3l5cd0ejzmUT2M54plP2iHf4ptVlCSbUNb5d43OnLTJYiFcnfr11czPof+"
    "FpbFy1yHeeNvzUvbkR5Ux10+Qp7f71zVVHmKpkZvL5DE9t9dqdqyuRyqE0DJF61R+KJIPY"
    "qCRH4JE585myAYEdsSuqRlSJZHUx24DLjhlKRns964rtuTctz8pRBUzKwVFV61hUZ8y7Vm"
    "UK7WmuUEPETtb99XV/xveMKBOE40Cnb/oPGVWIGdratn9ePGIQcQmIJwDJHE6Pm8qwzvr5"
    "6gK2DQSCIUspty0PjR0XBC4n5Zsp6UO20tNl9rQU/KZ3pfsZp5KC39fo9S0IfkOD/FJU+8"
    "xz7aJK3r3s6eOH20U+9zFDOOl4/TxA3bil7GGLyQTSjL2PpUPjmShde8VUCaYio6iLWpUQ"
    "Rw1UuPRIqhnIlCmU6h73AFjhQMSxxBmGEIcioe6FAwj+PQAqu2cduHl0/NYz926bElUt4B"
    "4ywLqvAVaHKuyhNJQ3yBqxk4HWtUt/Fy6BUCLQ68NV4RLKHICt9Vqj7pdOE7h/7/DnYeum"
    "2wTizyZxoi3vb2BdXb6AxdKgzKiXpqqzsWGjGFzUrnqMYnWo8dLV6S1z48HHyFGFI2YV7C"
    "7eN1YB6X/G6GzFZ4zOYoOjPkMK+mHqVsLouJpSiZhWkFPZXw4lTp2ZFmK9fK5BYWlRveGg"
    "cZJF/8JypbYlcS2uidp4jrk03qEiysFctFTLOcW87bmCJ9c6LH8KC5O4HOrDbe/SlUNNHP"
    "YsJRErsVthGwqRROK2h/RWEbes2ufyipiW6ptw9gEzGYwr89jitvZNYnFBQ+njMvt40X/n"
    "XPBEzeSXjmPH/yFKjdxfEg1bVW+Ctv0hHxOqT54U9J2LefKN+Qmm1UN8+wyJB5sF53Gw07"
    "WzYatnyWdLhveudbIekuLY7xxddtRMdtkx+aYUH1VMhiLFR6/R62nioxIcjVA6D7/GsxHK"
    "5oRnH44wYK1h0G2PVh2OEF3yPVP5NBCFVAjsQnVPHloJsicfx3TVk+XnWSt6anmMLP8WzI"
    "EJLcp+vAFQ8LgLjdEv4P6eC07cnKyHvL8HM/iIbJZPfJDMPf+TPahXWFz3VNxtpPSpxJ14"
    "HayWPi1dnWcZHjOsnPhJqhT2RaXAJrx2PoGCb1G54yXOD7OoxA7TZWKH0WprIfaSNs1Ni0"
    "btKgd1IV9I3q+o9c2g3+4Mh93ex5yQByybwP/Nj/Vo899N4P24w62LXn9w3bpqgsUvP7bt"
    "/o3OdF6G1PaGw3x0dshIEtkZmoijqsi2N9pUGrSUEc7yED1xfk+GK142XCFZ9fQObj/5Vc"
    "mqv0avZ2HVPeYnN68etqvSyvRlmfXAfslncuvV2w9cj7Dr4TqYm18vkj5ebjNOIJCDW5DT"
    "KeRZMFemnbOOaRCoIQ1MdAOJLa38C1KLcoBtEAoO+Fc+3nAOGHpbXH8RnC5Gc7ZaFwZCbp"
    "DwUapibrGePP4WiqLwW7jfqJKEcukIZeGcGP4rtHNe/gruEdr+2teENNche4v8FQS3cXKS"
    "adPIyYpNIycJB5NRPpqk709OWfNE7CqIdwFEjv7fBJBTu+lF9irNM7enW57Cxslprn53aS"
    "Era4bKOte1pK43tbYu88sTNxM+NMVWMdM8KljfQMKZ0PiJY6m5xivfYoehojlSpzDvme+l"
    "2bEgCdF06PeTGstCiErBaXloMSk4zUaJpQpO261hu3XZeSk+rIUsXZ3WEtgw70p9FRcG/T"
    "zrmLB0RLcsU3wtlNIzZyrpZNEGR64/96j1srXqHbAavFHlQNjLXkF03x9m0caxXOnzwsOY"
    "Os7jfuIIp8sUAia7/yLJnosUYhOEXQ5mP/8Pe50W3w=="
)

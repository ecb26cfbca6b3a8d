from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "mp_subscribe_quota" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "openid" VARCHAR(64) NOT NULL,
    "template_id" VARCHAR(64) NOT NULL,
    "remaining" INT NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_mp_subscrib_openid_3118fb" UNIQUE ("openid", "template_id")
) /* Mini-program subscribe messages a user allowed for one template: each time they accept */;
        CREATE TABLE IF NOT EXISTS "renewal" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "owner_openid" VARCHAR(64) NOT NULL,
    "key_serial" VARCHAR(64) NOT NULL,
    "years" INT NOT NULL,
    "state" VARCHAR(16) NOT NULL /* ORDERED: ordered\nPAID: paid\nKEYGEN: keygen\nISSUED: issued\nWRITTEN: written */,
    "public_key" TEXT NOT NULL,
    "new_serial" VARCHAR(64) NOT NULL,
    "certificate_pem" TEXT NOT NULL,
    "attempts" INT NOT NULL,
    "last_error" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "old_certificate_id" BIGINT NOT NULL REFERENCES "certificate" ("id") ON DELETE CASCADE,
    "order_id" BIGINT NOT NULL UNIQUE REFERENCES "orders" ("id") ON DELETE CASCADE
) /* One renewal: the order that pays for it, the certificate it replaces, its progress. */;
CREATE INDEX IF NOT EXISTS "idx_renewal_owner_o_22a130" ON "renewal" ("owner_openid");
CREATE INDEX IF NOT EXISTS "idx_renewal_key_ser_d22e61" ON "renewal" ("key_serial");
        ALTER TABLE "key_secret" ADD "management_key" TEXT;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "key_secret" DROP COLUMN "management_key";
        DROP TABLE IF EXISTS "mp_subscribe_quota";
        DROP TABLE IF EXISTS "renewal";"""


MODELS_STATE = (
    "eJztXWtz2ziW/SsofRlnS51ynOd6trZKtpW00rbkkeXOzMQpmqIgi2MKYBOgFe9M//cFwI"
    "f4FiGLMknjSyKTuCB5Ll733IuLf3eWeAYt8vornnaOwb87SF9C9iN6uQs6um2vL/ILVJ9a"
    "oty//AJTQh3doOzSXLcIZJdmkBiOaVMTI15whCBwkUkBnoMZnEPHgTOwws79ay4/wwarwE"
    "R3m4uyO3+4UKP4DtIFdJjA9x/ssolm8Cck/M/vHUJ16ooXdVyk6bTzgxex77W5Ca1Z7EPN"
    "GS8mrmv00RbXTsy7AaKfRVn+clPNwJa7ROvy9iNdYBQKmIjyq3cQQUenkD+BOi5HAbmW5W"
    "MVAON9wLqI9+YRGfbNumtxLLm09wLrax1NG44m2lV/ommdFM6BRARP/5KBEdcRe1UiALjj"
    "r/DLfx8dvX378ejw7YdP7999/Pj+0+EnVla8b/rWxz+9l1mj5VUlMBt8GQwn/IUwawhe4+"
    "AX/hQyOtU9KaGgNfr37OPT+J8udCcb/aB8An/2YUn8A7SLFBBcWGtg3Xj3oYKl/lOzILqj"
    "C/bnh3cF6P7eG5/+2hsffHj3Kg7x0L9zJG5xsNfg2vqjhfUMfL9ejYbZ+EZEEhDPTIOC/w"
    "DLJKmmviuoO/8zd5HBUQRT17Soichr/tj/7VSkgALAOUS85iUhf1hRoA8uen9P6uD0fHQi"
    "IMOE3jmiFlHBSUIh62Ep3d77yF0KnQzYK+rIgCndrKX31/o7NkQzDqGcBjqX/eHZYPjlGP"
    "jyN2h8PRyKK2xERuLK2WjYPwYzjCD73e+dsd/Qa3qyXefNhxJd582H3K7Db8U1pVMKlzbN"
    "0FXuxBAV2Tw97EpBh9VOD0dv3n189+nth3fhrBBeKZoMgoE/sp5g+toC1KTY/oD91BBg/Q"
    "VOCtIzhgc1lzAb17VUcpj3xV4HPxo4rxbgNxlc9K8mvYvL2Nh+1pv0+Z0jcfUxcfUgOXCE"
    "lYBvg8mvgP8J/skGs+QUEJab/LPD30l3KdYQXmn6LIpJcDm4FFPvDM5cG2r38FFmmRSX2m"
    "q68NeiNVmsxof7o09lxvujT/kDPr8X70cWNu7hTJtK4RwT2gnMLV+S+oC5iJqW7JiVlN3B"
    "yFUz9Ns0cFk6oRoz3bGT1vME/syZ7+NSbehRRTrt/31SbGOEKj0fDb8ExZOGR7yHGQ7k2G"
    "yxJohLtnBd0GEfOBsh69FvJQ3pbn6DLuxtrj3bUutxSaX1umg9Y5D1336t9bmJTLLYSu0J"
    "UTWX1kfNXu/mhPX8PkKa8gtT3bhf6c5Mi92JGYMZ1vWJL/X5tzG0dAFkWuVrwn/sogZ28z"
    "+DFh5cDToMxw0f4Twk07eWR8vkFR3pd+KT+LP5k+JoZTtOfBwLfSea4xcq5T/xmRD2P9AB"
    "k+6COXYAtrmesEOAjmbiiu3gB4aVVwg4OgIYGTDb0bKDOjd7ZJT3pZbeF1/38iTnfqm46v"
    "WwMzaOeylhhsWTTyGsJZRPqwSBQKjubLfQjUu2cKHb9BWPWtm+PD1jlxrYU8I2LtGIeI25"
    "ok7U0znuT8b/OAYOpM5j1O95g85HV5NjYGHPwf78PlBp8k7xdk/g7bgxILsaXsu0aTG2h0"
    "VxyriO6SGthM/YgeYd+g0+psajXDO6gQrIs6HZZUdfheZbpN2xL2ffC6k3ZveuTntn/c6f"
    "+VRFlcb4lTvlXz2Ff3Mx1TsZRnmiRLfIOF/aGgmKa3+E5Tfa6Rds+fELM5bvHH0JwhrAEh"
    "LCXpvZ08Al0AG6ZeEV9ExrNi8AblZZrKUcA6gbC8BXJoAZ049ANwxop2aEih5zg0wEbm9X"
    "P187kLVIQkPELryKb29FNUvWH4JngaX+CNijCUS0K+gCUTX7c8bfgXCBPJrgewfbEHlNKX"
    "g13rJ+KP6gLkNlt4A/WCuvrLW7llDWbglrN9onJFBOiCmoS0DtwCV7lh/qWJINi8momL8k"
    "GaackvlQt8spKeGsqnIF+A2yMZFeE7G4SK3+IncLV34raLBymhsULOWa8SY2vmOFrW3Yf3"
    "PTMHWLL6uwiyg44Osv794ysnLrAvYohKDFFl1L+/b2VbaPZpeVZ67C/IKizXgztFqBqRVY"
    "IwbSipcFkZ5RFuGIyB43amC9sxeIy4Te5gfepsJu2UdiyRYcEamIaHy+0OYKHGaBBZ81Tm"
    "NsQR3l+Mtiggmkp0yyqqYcXtkvq3syGp3HllgngyRte31x0h8fvBHos0ImjY3SWZhv46dM"
    "CisPVn1WuxmRl+hJ2s4QV/qus75FhDoxGP4yc1Zcqg3+scoXXiqOvWXkgYpjf4larzlldI"
    "rRA3SI7msjRRrF7neLaCMjWXIjb/RtAR0o/GnCV3dgs3984/EVMMmxYHRYDeYDBDNHn9Ou"
    "uEIotLtgtdCp+HOKKdBXuklJmjyq5AmKQWoTg6QIjmoJDsXQVbxQVAxS5SHX0JZBNyivrJ"
    "zN2IppNdPpnI9vVKZ9GL89KoHx26NcjPmtRBzrLAfiQvozIqW4Twnuc2ESip2MLBr5Scci"
    "IvVIOsaf15qkY8qkzh952mVSx5adzgw60gHlUamt4pnqNrXUIaJcgJrWg3RM+Siop1k6KB"
    "tUHm17sbBy9gJgeH1+/lxx5R7uGdxQqJB8Ukh8FClHB4nd2LZtmYbgkHhYz52OTI9RAnwL"
    "NqsKI90CBnSoOeflWDUOaw0rnQHvIp4hKSeEaFcVq73eNR6EugU8j9e9EJZiIiIyu+Eiap"
    "RFbveGhkpmXOFuRNvB/4JGxho2H9+IyB55yv2wlLtvvQ1MTixcFpJ4d87Gvc+TY8/dcYOu"
    "rk8uBpNJ/+yY76JampS94g267A3YBVs3Z3zD7tf+qSjgQN6c+P3e5eV49Du/xuZVBz/wa1"
    "e/Di4vRT0L07b5ldPRxeV5X4gaeGnz9Qy/2hue9s/PxVUOpWWJq+ejK3HJwgTWJAkyXjGd"
    "aVsQ2Am5qlpEm0hWD7MtuOyUoGK0N7OuiKz8ZXlZjioiUg+Oql2J8d0pH1q1hU4WUq6GhJ"
    "xq+5u9OT5k4u8toA7kWgd1JVmlbYYRlG7WcanWIb37Rs2+0d2K4o4JqsDb+hDa6dBAVhVf"
    "oBPix1dJ+PKSosqhJ+HQ05d8k6E2hxmo5+cJjAm1yJWws83RvHrIIOIxg5ktuiD+Ki2q4g"
    "A2ExwBbFtElMck1TRR52kiZHG223oVk1WarrOm1Q6R/KG0mYENaofIS9T6DnaIxCb5cBfG"
    "E1PhJ7d+NHKkT+fDT5wQuoQo60Q+GaAuvVoa2GNKgbRk3+OYuvVElC78atoKUyR25Kkdb1"
    "1Ti/qdVIhSJGoGPWDTyKBqA0RHCE4w+2czroN1VS3BNJYy3LXmphUMRE/F6nOsthbC5Ud3"
    "7QKr8bqqlgAlGSEYTIAZMYKRuTE/StCOFCoVJuilMgOsciBitER+Vx3Fovy8Gwc6+NsYGO"
    "yZXeCVMdEvvrj/2JyIwQqeoYIHmxo86FKNvdQMygYQJuRUEOFGltKDSyCUCfTmUKx4DXUO"
    "LuwMe5PB7/1j4P1/g75e9S4Hx0D8lxyUyqhjx3t32VAnF4wTCtQZ9do0dTY3bBVflpRrn/"
    "OjgpCnZ/Li1a5N79iNF30NiSacEGvhcPHmqAjIdTjNx4Jwmo+pydFcQg3+tE0nY3YsZn8T"
    "oi2kf5tL96ZZftuBbJSXmhRCifZNB0fvy8R2s1K5fUncS8f7b73GDIX3GO3vIh6Q35FcYl"
    "4PvWB+Tzoe2h8Puueh/p+vh2deqP/cZe9Sk0B89ihEdBEALHsSREpyJ72j1RYYbxtbuBcj"
    "YipuoM5zi9fbtwkbiAoqHddZx8H4LWnwJMXUmS6p1NaQUosBNJVanMWl2rdA2/2UjzA154"
    "8afOBxh3JzfoZo+xDfPUPiw+boqzTY+fvC4lJP2hpWM7z3vQfMR1IcaSMxZCfF1JCdijRX"
    "cZIti5hTcZIvUet5cZI1SPtVOw2/xLxfdVPCkxN/jVlvGA9OJ0WJv5Im3xNDD8eikhaBLR"
    "d2KBn35KOVEfa0xjE/6slZl9kY9NTzGVl+zuGBrTuU/XgFdMHjBjFGfwW3tzzgxCvJRsjb"
    "W7DU78Vh2A6kzqOX2569qF9ZOu6puseo0KcaD+JdUBz6FKpaxgxPCbYu+ElFKTQlSoEteI"
    "lcgMJaonWp0z4dlokSO8wPEztMnx3OPpJQaVo0Kdc6qKs4jKBhXuvL8ei0f3U1GH6RhDwi"
    "eQzWv3nKulP++xj4P25Q72Q4Gl/0zo9B8Gvt2/b+T650nofU9qdDOTo7JqSI7DIZngwDEr"
    "LV/veopPJw1ofoSfN7yl3xvO4KxarnD3DN5FcVq/4StV6GVfeZH2lePS7XJsv0eZn1yH7J"
    "J3Lr7Utd0E2w6/E2KM2vV0kfB/vRM/jjyFb1fAI5sjV+M4M8WUDgC3B2l5+JKlhd4X3gAb"
    "++KQ7Wm1a7wCTEZZemHqfLM32brHSaN9515YotrvHA1C1gixtHT9gQzfxj7qS4if7wTBAT"
    "vvwNGlxdXXO+wWvV9eAbgj4lQzdEZfaoBzZIul4KhSZGK85NC2r3UIr8jMq0j9Y5ev++1J"
    "ad9wVbdt6nmJ2FfvT+gwzIa4n2QVwBc2b+X8bgnTt1BsVVetu0x8mbBiT9ITEh1WA3N1gf"
    "MHk2IiaoiN76cA9pygkuddMiGsk0eHPHpoSUiopODlCWTqgmUNqqA2WIq25U526k+Pr8rt"
    "VM5lbx9S9R602Kgn8hhFiKqZehkzfGywd5KKuOln9WZVUVK/8kfj7MWJxB0EezGecz9Mto"
    "qVKZLV3bwvoMzgCnh0TKSU6mB/UAYmEKDgiF9itOtOt+CsrsDJZb1nWDbhAn9Pn9vxDgnf"
    "wH+PcTwdSHFZgIuAT+VVzEnKcnvB7qiwLdgcCkBCxMQrHzeIMOHEh5oHg3PEkU+Ee4kFdd"
    "cA9tKl6SV+DABxOyx74G/E3E+5ve0xF2lrplEib89bL/hdXq2o55t6Bddgss2RM4Od0FN+"
    "7R0Yd34Ojw8BDYP8O/34CLk1cihJ0JmUi3tP+6vQWeIqYQrHjOTv4YP8snojfi6BNwEJGw"
    "dbq4vT0W5bxXowRa8y6ThohV/Z1/L2tSP9g3QVsL5Mjt7avuDbq9ZS0TMTWxv0UVf7jse+"
    "gj94CwZrMkDAQegs+eOMX0tblkNfGiPL8ox2m1MI1FDCRAICQ3SDw99u7AWGACAcXiRTw3"
    "ywKzP3X0uNIfS7pavsd6HVdt54dyv9TT/cKVk8K/gB71y7cw/9ruySbe7aU8KX75FoJbCb"
    "vPnki5p14AJYFzUq6FeDeb6q8dtrvOCbNvt1TtAK24sa7MWdbQm9taw/LKM5VurQvIV8sS"
    "aK4FFJwZnR+7TtbxJAWdP5TYY3zFChoLj8prYnxFYDGlYc4P9Y/K1OPIev681hxZH1rDc2"
    "6QS1kdGaKt2/m3+z4Qoia5dEvJKV9ocgwPIZJdaKQF1RRZAK/00iNDUgFcALAsRZESbF/Q"
    "USVURYjbtpxFbgWtmwir2QLvZiwFyweZu1mLwkZEmfdOT/uXEx5nrhsGtKmXtf1r/3TiZW"
    "333CpJb9DzLFhU0o3oMHRYJusGK5U/DB1m5N0QDiD5tBsxsfaN+bsfc0LI5ANpEqIqSq4+"
    "gTMqSq798VJlouTqEi/13Bquw95mlTUUPC0S6rR3ddo76z/XpuaeOzPpOb7rZARNhfe6RU"
    "FTOi+lWX6xUlFTrDHM58A75+cYrBYYzMyZH8yD/YgZAVhXBME86JYLCZjCOWtVQEczoM9p"
    "XhTVDutW25prPCZ1QX5cjUugI35LrLKjMsrLWyb5pSF7iuRaooUA7/5gL2/KkMziGpGpyF"
    "Bs09lp3rAv46ZcS9TDSckf2xonpZh6ZbQRCihl7F4Z0ja1sqWbZ0uL5bK0LR2VapGH73lN"
    "aQHqDkzpq6CeZumgrCUdbXsxS5q9ABhen58/lyn92bXmpiXys2UY05G73SJzeh4vt9Ge/h"
    "ZsgTnteZauSRfBERBhPi9OaQOH71PpAgM61JybBmsYXVaMkBUr1gVkYdo200/aqt75E4Id"
    "S5FyYTEAf7JJm4ADiAznkXvMXgHMRl7gImpawKR8YxEDzXyADpwJGx75V1emDdXpFbUfAb"
    "sFhrvXjjTRjtJ6KDgHNS6mQqbSJypwV3OmvZ6/uo4J1WOF3aqYTHbLnS5Nup0HKy2tfJV1"
    "9lUqn/TL0DNf1Wgk3EdeeltcXExFeWxmoAVkCFMtj8bjvaoA7bhoUa9qHvYFWPNekodkDg"
    "NXAshcKu4l4XgPH7fo+nEp1fNL7O128Mw1tppLE6JqLq3zXBqwApqx0BGCUr0qS7Z9fauC"
    "LNQBbgQaDszoXxP4M/cAiZRoGxAv6lH9v0+K7cKwQ52Phl+C4kljMUcDIc+1zTiXV4ka8e"
    "o84hnYdUy5FPARkTb0tqp9/pxPv2cvIBlZkRBrH9IV7PzhhP9Wg1dcUo1YdR6xnjJJqbmp"
    "SZpW2Wnzh9JmRohkqF1lp61ZgIhMMIPKThsZc3e9J+NJwSFeUE5GXEgYrZMfEhIGBpXbXc"
    "G/G1uQbznGLqJewtcwvsIkgOc75Ye78WSxQHfuMDoyZ2Chk4UItcjeV7GTWlVgRo1Hni6o"
    "+46K51VE5flKfcKGd5mtiM5AsIW7KypJC+Kw8Swb6M15KQLZOmPdGfd/H/S/9cfHYe7pGz"
    "S67I97kxG7hm3+jphd651dDIbHQJ8tTZQc/J+HhOZbhR4ylHOCGe46yt9f9JCllSmTqkot"
    "wRC0X9vxZDQ6j9kPJ4MksXx9cdJnqAvQWSGTxob6yGGIwaFAFC5tmpGoJXeKzZBUkXcpeE"
    "2HUG2+7cFNGeKKJKmPtZwmSSxs3DNViXBlWWUnZZWma61pfqaahe9MtO2BbFFhpes661ol"
    "msmfMJtJfeZtjpPg35J74TPWTie+4OffxtDSc2LpM9JtNLKnpwi3uDcQEvJ0kARdduVV1c"
    "DOkotUlRvTYpjlUZARTDcwkRqJFN3ISPYAMe8QnP1iIjB18Irw/WKcOzQwvjfhXwig+J7v"
    "4QoZRLHdSyfiMKqrX3u/HL3/kKYkd1et4iQbykkKBUuzZXEpxUtu5CUN4sxzYwELopLiYn"
    "XmyWoDNfxpm2z1ssUqMy7ZwlVmQ1aVyphQxkS9Mm3UTsMvMdVG3ZTw5Fwbz5y18nSdOaKT"
    "YdBEbxfaM0aiYLn4ikjaCpMQl9kW08cgQQZdONi9W4hCTPY+J5hCugplpdR4pCmyUu7NrF"
    "QWBZsBzcwcFm1YMO/eTfxs+y1LAJ1q6s09wUNgpS3gTxmU41LK0N4Is5gIHG0mlVM1JtS6"
    "Yzjevymz/YeVyoVZ3Es0Z3fK89pIAh2XauHoXCnWsixdUq51uWx3P3zgFQNDwzZEWQu+gp"
    "TBCTkF9UaobQfz1imDckSkdaP07vdobkrqks+Qlc/p0lCGrCGMWCkidEPGmWItl0o4szsl"
    "P8MGllbouIHH/3mMjOTY2RlcXV3zU/08aX7O37D/zTvmD/HkbfzK76PfvCsP+B7W5tw/29"
    "INcbycNDudlq0oG3RbeaNYekDeJrbLDhiRVHGEdR4Nua4MEeKkbXPeZoZw+xJR7H45GaHb"
    "NRsu05jnpzTKEG2F7b/vnEbK553f+tvr81YZI9qm9YxZri4ZI+o2qdUh0GHfx3PWTAdPzg"
    "RR5kyR6OpuyT/UeWKM+5gbjLo19mtr4OBWakOA433mbsBqE0hVRs4k21ZG9ExG88uPoPGV"
    "qDnR0iU2BfhyIJADlJ8ys9IJIBBRcIAdwJTkwtmrY8BuLNkMBTCCwGZFo9Ez/MTWoI6sXQ"
    "KVPScjIOd7Mp4oBOWHitWpy2TZBUXHz6wbcXmjfC3TCsuwar6R97ttUkKuxVpoDTR39Z8R"
    "3h6hTGTHs7SsCnrelS2QmJyeaBEkYmwbppCyhkG6PdYpDJpp68rbYZWxjFvfLFzAecGQYb"
    "mNSzd+cJ9IFAQ8KQLwXKyY2PO6QRSzF/sHbKYDKrZe8iP6Dm5vI43m9ToK8/b2VXrpVuFz"
    "VCx1jQewovVZfcJ9Wx2Iarv3Mi4Sv3grFr/7dosw7DTEkJXEO5Rpg/fvOTCfeqmWMgbzog"
    "RzCck9ZpkLrzQ2zZy3iOHnGmtsQJZp72lJ1erlW72D6ZauuLikii+pte2t3Owtc7gqN/tL"
    "1Hqem10iO9kevEidfO9RKa9ROcaBb5j2BbwUT8Jb6zlybP2RgDl2mN3f9dI/RXdWU+AHqJ"
    "KuSPtkO5jjT7I3ZVfwDMU0NJRpeNbNVDXbjVA13VAfVqfdOD9CPSsyJXdECcu3yQWzs7ze"
    "fGfK1qcHhMJ73NUiZjT5bS2j8Vl/zDet+PI36LI3YH/ausl+/9b/x5f+8Biw3she+gYlN8"
    "F8Gw8mE15g5ZiUwpqcLmC7U8s0ZHmIuFQLdnHum4Jgy6stBvq4VAtgrzxhY0N3O7SmnW9x"
    "lIY6Q6NorhXJ8qHjYKnIrLhUC9px5QOHIg9bRiMp8vAlar3UHh32BU8J1MuWb5OluOf93+"
    "qY3brESSaadlohKlYyexNV5pDw9HhJdaixlBb2eKhxj5nlxqKT4QXy73SLnED6uswmH1A+"
    "Sjv2sLwU98oTTbN8x8kDdIKzYcraaRGRVsQQ7uHkWt6pJBD2i7cQ3TeHh2XI4cPDfHaY30"
    "vYwRhRiDLMoa9Xo2GOAbwWSdpBpkHBf4BlkiauhQvA5WAUU2dJlqwbt2J4BSdZS7F9xjT8"
    "+f/9t7uQ"
)

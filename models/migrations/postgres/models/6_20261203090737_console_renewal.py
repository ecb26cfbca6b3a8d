from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "mp_subscribe_quota" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "openid" VARCHAR(64) NOT NULL,
    "template_id" VARCHAR(64) NOT NULL,
    "remaining" INT NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_mp_subscrib_openid_3118fb" UNIQUE ("openid", "template_id")
);
COMMENT ON TABLE "mp_subscribe_quota" IS 'Mini-program subscribe messages a user allowed for one template: each time they accept';
        CREATE TABLE IF NOT EXISTS "renewal" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "owner_openid" VARCHAR(64) NOT NULL,
    "key_serial" VARCHAR(64) NOT NULL,
    "years" INT NOT NULL,
    "state" VARCHAR(16) NOT NULL,
    "public_key" TEXT NOT NULL,
    "new_serial" VARCHAR(64) NOT NULL,
    "certificate_pem" TEXT NOT NULL,
    "attempts" INT NOT NULL,
    "last_error" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "old_certificate_id" BIGINT NOT NULL REFERENCES "certificate" ("id") ON DELETE CASCADE,
    "order_id" BIGINT NOT NULL UNIQUE REFERENCES "orders" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_renewal_owner_o_22a130" ON "renewal" ("owner_openid");
CREATE INDEX IF NOT EXISTS "idx_renewal_key_ser_d22e61" ON "renewal" ("key_serial");
COMMENT ON COLUMN "renewal"."state" IS 'ORDERED: ordered\nPAID: paid\nKEYGEN: keygen\nISSUED: issued\nWRITTEN: written';
COMMENT ON TABLE "renewal" IS 'One renewal: the order that pays for it, the certificate it replaces, its progress.';
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
    "vvwNGlxdXXO+wWvV2Wnu68FCBD1NhoSIyuxRO2zodL3ECk2MYZybFtTuoRQlGpVpH9lz9P"
    "59qY087ws28rxP8T0L/ej9BxmQ1xLtg7gCPs38v4whPXdCDYqrpLdpP5Q3OUh6SWJCqsFu"
    "brA+YPIcRUxQ0b/1YSTSRBRc6qZFNJJpBueOTQkpFSudHKAsnVBNoLRVB8oQV92ozt1Isf"
    "j5XauZfK5i8V+i1psUG/9CaLIUfy9DMm+Mog+yU1YdQ/+syqoqgv5JrH2YxziDto/mOM7n"
    "7ZfRUqXyXbq2hfUZnAFOD4lElJxiD+oBxMIUHBAK7Vecftf9xJTZeS23rOsG3SBO8/P7fy"
    "HAOw8Q8O8ngr8PKzARcAn8q7iIOXtPeD3UFwW6A4FJCViYhGLn8QYdOJDy8PFueL4o8A92"
    "Ia+64B7aVLwkr8CBDyZkj30N+JuI9ze9pyPsLHXLJEz462X/C6vVtR3zbkG77BZYsidwyr"
    "oLbtyjow/vwNHh4SGwf4Z/vwEXJ69EYDsTMpFuaf91ews8RUwhWPFMnvwxfu5PRG/EgSjg"
    "ICJh63Rxe3ssynmvRgm05l0mDRGr+jv/XtakfrBvgrYWyJHb21fdG3R7y1omYmpif4sq/n"
    "DZ99BH7hdhzWZJGAg8MJ89cYrpa3PJauJFedZRjtNqYRqLGEiAQEhukHh67N2BscAEAorF"
    "i3jOlwVmf+rocaU/lnTAfI/1Oq7azg/llKmnU4YrJ4V/AT3ql29hVrbdk02820t5UvzyLQ"
    "S3EnafPZFy/70ASgLnpFwL8W421V87bHedKWbfbqnaAVpxY12Zs6yhN7e1huWVZyrdWheQ"
    "r5Yl0FwLKDgzOj92naxDSwo6fyixx/iKFTQWHpXXxPiKwGJKw5y/ASAqU4+D7PnzWnOQfW"
    "gNz7lBLmV1ZIi2bj/g7vtAiJrk0i0lp3yhyTE8hEh2oZEWVFNkAbzSS48MSQVwAcCyFEVK"
    "sH1BR5VQFSFu23IWuRW0biKsZmO8m7EULB967mYtChsRe947Pe1fTniouW4Y0KZeLvev/d"
    "OJl8vdc6skvUHPs2BRqTiiw9BhmVwcrFT+MHSYkY1DOIDkk3HExNo35u9+zAkhkw+kSYiq"
    "KLn6BM6oKLn2x0uViZKrS7zUc2u4DjueVS5R8LRIqNPe1WnvrP9cW5177syk5/iukxE0Fd"
    "7rFgVN6byUZvnFSkVNscYwnwPv9J9jsFpgMDNnfjAP9iNmBGBdEQTzoFsuJGAK56xVAR3N"
    "gD6neVFUO6xbbXau8ZjUBflxNS6BjvgtscqOyigvb5mUmIbs2ZJriRYCvPvjvrwpQzK3a0"
    "SmIkOxTSeqecO+jJtyLVEPJyV/bGuclGLqldFGKKCUsXtlSNvUypZuni0tlsvStnRUqkUe"
    "vuc1pQWoOzClr4J6mqWDspZ0tO3FLGn2AmB4fX7+XKb0Z9eam5bI2pZhTEfudovM6Xm83E"
    "Z7+luwBea051m6Jl0EB0OEWb44pQ0cvk+lCwzoUHNuGqxhdFkxQlasWBeQhWnbTD9pq3rn"
    "Twh2LEXKhcUA/MkmbQIOIDKcR+4xewUwG3mBi6hpAZPyjUUMNPMBOnAmbHjkX12ZNlRnWt"
    "R+BOwWGO5eO9JEO0rroeB01LiYCplKn7PAXc2Z9nr+6jomVI8VdqtiMtktd7o06XYerLS0"
    "8lXW2VepfNIvQ898VaORcB956W1xcTEV5bGZgRaQIUy1PBqP96oCtOOiRb2qedgXYM17SR"
    "6SOQxcCSBzqbiXhOM9fNyi68elVM8vsbfbwTPX2GouTYiqubTOc2nACmjGQkcISvWqLNn2"
    "9a0KslAHuBFoODCjf03gz9xjJVKibUC8qEf1/z4ptgvDDnU+Gn4JiieNxRwNhDzXNuNcXi"
    "VqxKvziGdg1zHlUsBHRNrQ26r2+XM+/Z69gGRkRUKsfUhXsPOHE/5bDV5xSTVi1XnEesok"
    "peamJmlaZafNH0qbGSGSoXaVnbZmASIywQwqO21kzN31nownBYd4QTkZcSFhtE5+SEgYGF"
    "RudwX/bmxBvuUYu4h6CV/D+AqTAJ7vlB/5xpPFAt25w+jInIGFThYi1CJ7X8VOalWBGTUe"
    "ebqg7jsqnlcRlecr9Qkb3mW2IjoDwRburqgkLYjDxrNsoDfnpQhk64x1Z9z/fdD/1h8fh7"
    "mnb9Dosj/uTUbsGrb5O2J2rXd2MRgeA322NFFy8H8eEppvFXrIUM4JZrjrKH9/0UOWVqZM"
    "qiq1BEPQfm3Hk9HoPGY/nAySxPL1xUmfoS5AZ4VMGhvqI4chBocCUbi0aUailtwpNkNSRd"
    "6l4DUdQrX5tgc3ZYgrkqQ+1nKaJLGwcc9UJcKVZZWdlFWarrWm+ZlqFr4z0bYHskWFla7r"
    "rGuVaCZ/wmwm9Zm3OU6Cf0vuhc9YO534gp9/G0NLz4mlz0i30cieniLc4t5ASMjTQRJ02Z"
    "VXVQM7Sy5SVW5Mi2GWR0FGMN3ARGokUnQjI9kDxLxDcPaLicDUwSvC94tx7tDA+N6EfyGA"
    "4nu+hytkEMV2L52Iw6iufu39cvT+Q5qS3F21ipNsKCcpFCzNlsWlFC+5kZc0iDPPjQUsiE"
    "qKi9WZJ6sN1PCnbbLVyxarzLhkC1eZDVlVKmNCGRP1yrRROw2/xFQbdVPCk3NtPHPWytN1"
    "5ohOhkETvV1ozxiJguXiKyJpK0xCXGZbTB+DBBl04WD3biEKMdn7nGAK6SqUlVLjkabISr"
    "k3s1JZFGwGNDNzWLRhwbx7N/Gz7bcsAXSqqTf3BA+BlbaAP2VQjkspQ3sjzGIicLSZVE7V"
    "mFDrjuF4/6bM9h9WKhdmcS/RnN0pz2sjCXRcqoWjc6VYy7J0SbnW5bLd/fCBVwwMDdsQZS"
    "34ClIGJ+QU1Buhth3MW6cMyhGR1o3Su9+juSmpSz5DVj6nS0MZsoYwYqWI0A0ZZ4q1XCrh"
    "zO6U/AwbWFqh4wYe/+cxMpJjZ2dwdXXNT/XzpPk5f8P+N++YP8STt/Erv49+86484HtYm3"
    "P/bEs3xPFy0ux0WraibNBt5Y1i6QF5m9guO2BEUsUR1nk05LoyRIiTts15mxnC7UtEsfvl"
    "ZIRu12y4TGOen9IoQ7QVtv++cxopn3d+62+vz1tljGib1jNmubpkjKjbpFaHQId9H89ZMx"
    "08ORNEmTNFoqu7Jf9Q54kx7mNuMOrW2K+tgYNbqQ0BjveZuwGrTSBVGTmTbFsZ0TMZzS8/"
    "gsZXouZES5fYFODLgUAOUH7KzEongEBEwQF2AFOSC2evjgG7sWQzFMAIApsVjUbP8BNbgz"
    "qydglU9pyMgJzvyXiiEJQfKlanLpNlFxQdP7NuxOWN8rVMKyzDqvlG3u+2SQm5FmuhNdDc"
    "1X9GeHuEMpEdz9KyKuh5V7ZAYnJ6okWQiLFtmELKGgbp9linMGimrStvh1XGMm59s3AB5w"
    "VDhuU2Lt34wX0iURDwpAjAc7FiYs/rBlHMXuwfsJkOqNh6yY/oO7i9jTSa1+sozNvbV+ml"
    "W4XPUbHUNR7AitZn9Qn3bXUgqu3ey7hI/OKtWPzu2y3CsNMQQ1YS71CmDd6/58B86qVayh"
    "jMixLMJST3mGUuvNLYNHPeIoafa6yxAVmmvaclVauXb/UOplu64uKSKr6k1ra3crO3zOGq"
    "3OwvUet5bnaJ7GR78CJ18r1HpbxG5RgHvmHaF/BSPAlvrefIsfVHAubYYXZ/10v/FN1ZTY"
    "EfoEq6Iu2T7WCOP8nelF3BMxTT0FCm4Vk3U9VsN0LVdEN9WJ124/wI9azIlNwRJSzfJhfM"
    "zvJ6850pW58eEArvcVeLmNHkt7WMxmf9Md+04svfoMvegP1p6yb7/Vv/H1/6w2PAeiN76R"
    "uU3ATzbTyYTHiBlWNSCmtyuoDtTi3TkOUh4lIt2MW5bwqCLa+2GOjjUi2AvfKEjQ3d7dCa"
    "dr7FURrqDI2iuVYky4eOg6Uis+JSLWjHlQ8cijxsGY2kyMOXqPVSe3TYFzwlUC9bvk2W4p"
    "73f6tjdusSJ5lo2mmFqFjJ7E1UmUPC0+Ml1aHGUlrY46HGPWaWG4tOhhfIv9MtcgLp6zKb"
    "fED5KO3Yw/JS3CtPNM3yHScP0AnOhilrp0VEWhFDuIeTa3mnkkDYL95CdN8cHpYhhw8P89"
    "lhfi9hB2NEIcowh75ejYY5BvBaJGkHmQYF/wGWSZq4Fi4Al4NRTJ0lWbJu3IrhFZxkLcX2"
    "GdPw5/8Ds4LCyg=="
)

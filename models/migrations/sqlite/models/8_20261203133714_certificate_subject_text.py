from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = False  # schema_version is read, then set

# certificate.subject_dn VARCHAR(512) -> TEXT. SQLite cannot alter a column; both declared types
# have TEXT affinity, so the stored rows are the same and only the table's declaration changes:
# edited in the schema, as SQLite's documentation allows for changes that leave the file's
# content as it is (https://www.sqlite.org/lang_altertable.html, "other kinds of changes").
OLD = '"subject_dn" VARCHAR(512)'
NEW = '"subject_dn" TEXT'


async def _declared_as(db: BaseDBAsyncClient, old: str, new: str) -> str:
    rows = await db.execute_query_dict("PRAGMA schema_version")
    version = int(rows[0]["schema_version"])
    return f"""
        PRAGMA writable_schema = ON;
        UPDATE sqlite_master SET sql = replace(sql, '{old}', '{new}')
            WHERE type = 'table' AND name = 'certificate';
        PRAGMA schema_version = {version + 1};
        PRAGMA writable_schema = OFF;"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return await _declared_as(db, OLD, NEW)


async def downgrade(db: BaseDBAsyncClient) -> str:
    return await _declared_as(db, NEW, OLD)


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
    "IvVIOsaf15qkYw40IKJaEBkoM9JkiLZvwHlzWGZUZ6XyQ+cP04sSxWO8EB4jttZ3ZtCRju"
    "KPSm0VRFa37lWHMH4BaloP0oH8o6CeZumgbCR/tO3FYvnZC4Dh9fn5cwXze7hnEHKhQvKZ"
    "OPFRpBwHJ7bA27ZlGoK447FUdzoyPRoP8H3vrCqMdAsY0KHmnJdj1TisNax0BryLeFqqnL"
    "itXVWsNtjXeBDqFpBrXvdCWIr+icjshgCqUeq+3Vt3KoN0hVtAbQf/CxoZa9h8fCMieySH"
    "90MN7771NjAjtPATSeLdORv3Pk+OPR/TDbq6PrkYTCb9s2O+dW1pUvaKN+iyN2AXbN2c8V"
    "3SX/unooADeXPi93uXl+PR7/wam1cd/MCvXf06uLwU9SxM2+ZXTkcXl+d9IWrgpc3XM/xq"
    "b3jaPz8XVzmUliWuno+uxCULE1iTzNN4xXSmbeE1SMhV1SLaxGx7mG3hQEgJKjfCZqobkZ"
    "W/LC9LDEZE6kEMtus0AnfKh1ZtoZOFlH8nIafa/mYXmg+Z+HsLqAO51kFdSSpvm2EEpZt1"
    "XKp1SO++UbNvdLeiuGOCKtq5PoR2Oh6TVcUX6IT4QW0SDtSkqPKiSnhR9SXf2anNYQbq+c"
    "kZY0ItciXsbEc6r557NHmgZmaLLgh6S4u2zxe6e4IjgG2LMP6YpJom6jxNhCzOdvvdYrJK"
    "03XWtNqWkz+UNjOwQW3LeYla38G2nNgkH259eeL5A8n9No0c6dOHECSOZV1ClHUMogxQl1"
    "4tDewxpUBasu9xTN16IkoXfjVthSkSO/LUjreuqUX9TipEKRI1gx6waWRQtQGiIwQnmP2z"
    "GdfBuqqWYBrL0+5ac9MKBqKnYvU5VlsL4fKju3aB1XhdVUuAkowQDCbAjBjByNyYHyVoRw"
    "qVChP08scBVjkQMVoiqa6OYlF+3o0DHfxtDAz2zC7wypjoF1/cf2xOxGAFz1DBg00NHnSp"
    "xl5qBmUDCBNyKohwI0vpwSUQygR6cyhWvIY6Bxd2hr3J4Pf+MfD+v0Ffr3qXg2Mg/ksOSm"
    "XUseMN02yokwvGCQXqjHptmjqbG7aKL0vKtc/5UUHI0zN58WrXpnfsxou+hkQTToi1cLh4"
    "c1QE5Dqc5mNBOM3H1ORoLqEGf9qmkzE7FrO/CdEW0r/NpXvTLL/tQDbKS00KoUT7poOj92"
    "Viu1mp3L4k7qXj/bdeY4bCe4z2dxEPyO9ILjGvh14wvycdD+2PB93zUP/P18MzL9R/7rJ3"
    "qUkgPnsUIroIAJY9fiMluZPe0WoLjLeNLdyLETEVN1DnucXr7duEDUQFlY7rrONg/JY0eJ"
    "Ji6iCdVD5xSKnFAJpKLc7iUu1boO1+ykeYmvNHDT7wuEO5OT9DtH2I754h8WFz9FUa7Px9"
    "YXGpJ20Nqxne+94D5iMpzhGSGLKTYmrITkWaqzjJlkXMqTjJl6j1vDjJGqT9qp2GX2Ler7"
    "op4cmJv8asN4wHp5OixF9Jk++JoYdjUUmLwJYLO5SMe/LRygh7WuOYH/XkrMtsDHrq+Yws"
    "P1zywNYdyn68ArrgcYMYo7+C21secOKVZCPk7S1Y6vfiBHIHUufRO1CAvahfWTruqbrHqN"
    "CnGg/iXVAc+hSqWsYMTwm2LvhJRSk0JUqBLXiJXIDCWqJ1qdM+HZaJEjvMDxM7TB/Yzj6S"
    "UGlaNCnXOqirOAGiYV7ry/HotH91NRh+kYQ8InkM1r95yrpT/vsY+D9uUO9kOBpf9M6PQf"
    "Br7dv2/k+udJ6H1PanQzk6OyakiOwyGZ4MAxKy1f73qKTycNaH6Enze8pd8bzuCsWq5w9w"
    "zeRXFav+ErVehlX3mR9pXj0u1ybL9HmZ9ch+ySdy6+1LXdBNsOvxNijNr1dJHwf70TP448"
    "hW9XwCObI1fjODPFlA4AtwdpcfRCtYXeF94AG/vikO1ptWu8AkxGWXph6nyzN9m6x0mjfe"
    "deWKLa7xwNQtYIsbR0/YEM38swWluIn+8EwQE778DRpcXV1zvsFr1dlp7uvBQgQ9TYaEiM"
    "rsUTts6HS9xApNjGGcmxbU7qEUJRqVaR/Zc/T+famNPO8LNvK8T/E9C/3o/QcZkNcS7YO4"
    "Aj7N/L+MIT13Qg2Kq6S3aT+UNzlIekliQqrBbm6wPmDyHEVMUNG/9WEk0kQUXOqmRTSSaQ"
    "bnjk0JKRUrnRygLJ1QTaC0VQfKEFfdqM7dSLH4+V2rmXyuYvFfotabFBv/QmiyFH8vQzJv"
    "jKIPslNWHUP/rMqqKoL+Sax9mMc4g7aP5jjO5+2X0VKl8l26toX1GZwBTg+JRJScYg/qAc"
    "TCFBwQCu1XnH7X/cSU2Xktt6zrBt0gTvPz+38hwDsPEPDvJ4K/DyswEXAJ/Ku4iDl7T3g9"
    "1BcFugOBSQlYmIRi5/EGHTiQ8vDxbni+KPAPdiGvuuAe2lS8JK/AgQ8mZI99DfibiPc3va"
    "cj7Cx1yyRM+Otl/wur1bUd825Bu+wWWLIncMq6C27co6MP78DR4eEhsH+Gf78BFyevRGA7"
    "EzKRbmn/dXsLPEVMIVjxTJ78MX7uT0RvxIEo4CAiYet0cXt7LMp5r0YJtOZdJg0Rq/o7/1"
    "7WpH6wb4K2FsiR29tX3Rt0e8taJmJqYn+LKv5w2ffQR+4XYc1mSRgIPDCfPXGK6WtzyWri"
    "RXnWUY7TamEaixhIgEBIbpB4euzdgbHABAKKxYt4zpcFZn/q6HGlP5Z0wHyP9Tqu2s4P5Z"
    "Spp1OGKyeFfwE96pdvYVa23ZNNvNtLeVL88i0EtxJ2nz2Rcv+9AEoC56RcC/FuNtVfO2x3"
    "nSlm326p2gFacWNdmbOsoTe3tYbllWcq3VoXkK+WJdBcCyg4Mzo/dp2sQ0sKOn8oscf4ih"
    "U0Fh6V18T4isBiSsOcvwEgKlOPg+z581pzkH1oDc+5QS5ldWSItm4/4O77QIia5NItJad8"
    "ockxPIRIdqGRFlRTZAG80kuPDEkFcAHAshRFSrB9QUeVUBUhbttyFrkVtG4irGZjvJuxFC"
    "wfeu5mLQobEXveOz3tX054qLluGNCmXi73r/3TiZfL3XOrJL1Bz7NgUak4osPQYZlcHKxU"
    "/jB0mJGNQziA5JNxxMTaN+bvfswJIZMPpEmIqii5+gTOqCi59sdLlYmSq0u81HNruA47nl"
    "UuUfC0SKjT3tVp76z/XFude+7MpOf4rpMRNBXe6xYFTem8lGb5xUpFTbHGMJ8D7/SfY7Ba"
    "YDAzZ34wD/YjZgRgXREE86BbLiRgCuesVQEdzYA+p3lRVDusW212rvGY1AX5cTUugY74Lb"
    "HKjsooL2+ZlJiG7NmSa4kWArz74768KUMyt2tEpiJDsU0nqnnDvoybci1RDyclf2xrnJRi"
    "6pXRRiiglLF7ZUjb1MqWbp4tLZbL0rZ0VKpFHr7nNaUFqDswpa+Cepqlg7KWdLTtxSxp9g"
    "JgeH1+/lym9GfXmpuWyNqWYUxH7naLzOl5vNxGe/pbsAXmtOdZuiZdBAdDhFm+OKUNHL5P"
    "pQsM6FBzbhqsYXRZMUJWrFgXkIVp20w/aat6508IdixFyoXFAPzJJm0CDiAynEfuMXsFMB"
    "t5gYuoaQGT8o1FDDTzATpwJmx45F9dmTZUZ1rUfgTsFhjuXjvSRDtK66HgdNS4mAqZSp+z"
    "wF3NmfZ6/uo6JlSPFXarYjLZLXe6NOl2Hqy0tPJV1tlXqXzSL0PPfFWjkXAfeeltcXExFe"
    "WxmYEWkCFMtTwaj/eqArTjokW9qnnYF2DNe0kekjkMXAkgc6m4l4TjPXzcouvHpVTPL7G3"
    "28Ez19hqLk2Iqrm0znNpwApoxkJHCEr1qizZ9vWtCrJQB7gRaDgwo39N4M/cYyVSom1AvK"
    "hH9f8+KbYLww51Php+CYonjcUcDYQ81zbjXF4lasSr84hnYNcx5VLAR0Ta0Nuq9vlzPv2e"
    "vYBkZEVCrH1IV7DzhxP+Ww1ecUk1YtV5xHrKJKXmpiZpWmWnzR9KmxkhkqF2lZ22ZgEiMs"
    "EMKjttZMzd9Z6MJwWHeEE5GXEhYbROfkhIGBhUbncF/25sQb7lGLuIeglfw/gKkwCe75Qf"
    "+caTxQLducPoyJyBhU4WItQie1/FTmpVgRk1Hnm6oO47Kp5XEZXnK/UJG95ltiI6A8EW7q"
    "6oJC2Iw8azbKA356UIZOuMdWfc/33Q/9YfH4e5p2/Q6LI/7k1G7Bq2+Ttidq13djEYHgN9"
    "tjRRcvB/HhKabxV6yFDOCWa46yh/f9FDllamTKoqtQRD0H5tx5PR6DxmP5wMksTy9cVJn6"
    "EuQGeFTBob6iOHIQaHAlG4tGlGopbcKTZDUkXepeA1HUK1+bYHN2WIK5KkPtZymiSxsHHP"
    "VCXClWWVnZRVmq61pvmZaha+M9G2B7JFhZWu66xrlWgmf8JsJvWZtzlOgn9L7oXPWDud+I"
    "KffxtDS8+Jpc9It9HInp4i3OLeQEjI00ESdNmVV1UDO0suUlVuTIthlkdBRjDdwERqJFJ0"
    "IyPZA8S8Q3D2i4nA1MErwveLce7QwPjehH8hgOJ7vocrZBDFdi+diMOorn7t/XL0/kOakt"
    "xdtYqTbCgnKRQszZbFpRQvuZGXNIgzz40FLIhKiovVmSerDdTwp22y1csWq8y4ZAtXmQ1Z"
    "VSpjQhkT9cq0UTsNv8RUG3VTwpNzbTxz1srTdeaIToZBE71daM8YiYLl4isiaStMQlxmW0"
    "wfgwQZdOFg924hCjHZ+5xgCukqlJVS45GmyEq5N7NSWRRsBjQzc1i0YcG8ezfxs+23LAF0"
    "qqk39wQPgZW2gD9lUI5LKUN7I8xiInC0mVRO1ZhQ647heP+mzPYfVioXZnEv0ZzdKc9rkw"
    "l0/t7GuFQrRud972sMIJSl7JJyrUtsu/uxBK8YGBq2Icpa/RXkD07IKag3Qm07mLdOGZQj"
    "Iq0bsne/YXNThpd8uqx8gpeG0mUNocdKsaIb0s8Ua7lU9pndKfkZdrO0QscNPAvQo2ckx8"
    "7O4Orqmh/x50nzQ/+G/W/emX+IZ3LjV34f/eZdecD3sDaHANqWboiz5qSp6rRsRamh20oi"
    "xXIF8jaxXarAiKQKKqzzaMh1ZYh4J22bwzczhNuXlWL3y8kI967ZcCnDAWSIKiJgCyJAOc"
    "DzW397HeAqfUTbtJ4xy9UlfUTdJrU6RD3s+6zOmungyWkhyhwwEl3dLfmHOk8MeB9zg1G3"
    "xn5tDRzcSu0OcLzP3A1YbQKpyjCaZNvKCKXJaH754TS+EjUnWrrEDgFfDgRygPIjZ1Y6AQ"
    "QiCg6wA5iSXDh7dQzYjSWboQBGENisaDSUhh/fGtSRtWWgsudkROd8TwYXhaD8UIE7dZks"
    "u6DoLJp1Iy5vlK9lWmEZVs038n63TX7ItVgLrYHmrv4zYt0jlInseJaWVRHQu7IFEpPTEy"
    "2CRMBtwxRS1jBIt8c6xUQzbV15260ylnHrm4ULOC8yMiy3cenGT/ETWYOAJ0UAnosVE3te"
    "Nwhp9gIBgc10QMU+TH5e38HtbaTRvF6HZN7evkov3Sp8jgqsrvEAVrQ+q0/sb6ujUm33Xs"
    "ZF4hdvxeJ3324Rhp2GGLKSeIcybfD+PQfmUy/vUsZgXpRtLiG5x5Rz4ZXG5pzzFjH8kGON"
    "Dcgy7T0tqVq9fKt3MN3SFReXVPEltba9lZu9ZQ5X5WZ/iVrPc7NLpCrbgxepk+89KuU1Ks"
    "c48N3TvoCX70l4az1Hjq0/EjDHDrP7u14uqOg2awr8AFXSFTmgbAdz/En2Du0KnqGYhoYy"
    "Dc+6mapmuxGqphvqw+q0G+dHqGdFpuSOKGH5Nrlgdpbkm+9M2foogVB4j7taxIwmv61lND"
    "7rj/mmFV/+Bl32BuxPWzfZ79/6//jSHx4D1hvZS9+g5CaYb+PBZMILrByTUliTowZsd2qZ"
    "hiwPEZdqwS7OfVMQbHm1xUAfl2oB7JVnb2zobofWtPMtztVQB2oUzbUicz50HCwVmRWXak"
    "E7rnzgUORhy2gkRR6+RK2X2qPDvuApgXrZ8m2yFPe8/1uduVuXOMlE004rRMVKZm+iyhwS"
    "nh4vqU44ltLCHk847jGz3Fh0MrxA/p1ukRNIX5fZ5APKR2nHHpaX4l55ommW7zh5gE5wUE"
    "xZOy0i0ooYwj0cY8s7lQTCfvEWovvm8LAMOXx4mM8O83sJOxgjClGGOfT1ajTMMYDXIkk7"
    "yDQo+A+wTNLEtXABuByMYuosyZJ141YMr+Akaym2z5iGP/8fbKg+dw=="
)

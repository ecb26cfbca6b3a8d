from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
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
        DROP TABLE IF EXISTS "renewal";"""


MODELS_STATE = (
    "eJztXdty2zi2/RWUXsY5pU45znU8U6dKtpW00rbkI8udnom7aIqCLIwpgE2CVnxm+t8HAC"
    "/iXYQsyiSNl0QmsUFybVwXFjb+3VmSGTSd11/JtHMM/t3B+hKyH9HLXdDRLWt9kV+g+tQU"
    "6f7lJ5g61NYNyi7NddOB7NIMOoaNLIoI5glHGAIXIwrIHMzgHNo2nIEVse9fc/sZMVgGCN"
    "9tTsru/OFCjZI7SBfQZgbff2eXEZ7BH9Dhf37vOFSnrnhR28WaTju/8yTWvTZH0JzFPhTN"
    "eDJxXaOPlrh2gu4GmH4WafnLTTWDmO4Sr9Nbj3RBcGiAMOVX7yCGtk4hfwK1XY4Cdk3Txy"
    "oAxvuAdRLvzSM27Jt11+RYcmvvBdbXOpo2HE20q/5E0zopnAOLCJ7+JYNg7iP2qo4A4I6/"
    "wk9/PTp6+/bj0eHbD5/ev/v48f2nw08srXjf9K2Pf3ovs0bLy0pgNvgyGE74CxFWELzCwS"
    "/8KWx0qntWwkFr9O/Zx6fxP13odjb6QfoE/uzDkvgHaBc5ILiw9sC68O7DBUv9h2ZCfEcX"
    "7M8P7wrQ/bU3Pv25Nz748O5VHOKhf+dI3OJgr8G19EeT6Bn4fr0aDbPxjZgkIJ4hg4L/AB"
    "M5qaK+K6g7f5+72OAogqmLTIqw85o/9n87FTmgAHAOEc956Th/mFGgDy56vyV9cHo+OhGQ"
    "EYfe2SIXkcFJwiHrZild3vvYXQqfDNgr6tiAKd+srfdX+jsWxDMOoZwHOpf94dlg+OUY+P"
    "Y3eHw9HIorrEXG4srZaNg/BjOCIfvd752x39ArerJV582HElXnzYfcqsNvxT2lUwqXFs3w"
    "VW7HEDXZ3D3sykGH1XYPR2/efXz36e2Hd2GvEF4p6gyChj8ynmD+2gLUpNn+gP3UEGD9AU"
    "4K0jOGB0VLmI3r2irZzPtmr4MfDexXC/CbDC76V5PexWWsbT/rTfr8zpG4+pi4epBsOMJM"
    "wLfB5GfA/wT/ZI1ZsgsI003+2eHvpLuUaJisNH0WxSS4HFyKuXcGZ64FtXv4KDNMiltt1V"
    "34Y9GaDFbjzf3RpzLt/dGn/Aaf34vXI5MY93CmTaVwjhntBOaWD0l9wFxMkSnbZiVtd9By"
    "1Qz9NjVcpu5QjU3diZ328wT+yOnv41ZtqFFFPu3/NimeY4QuPR8NvwTJkxOPeA0zbMix2W"
    "JMELds4bigwz5wNsLmo19KGlLd/AJdWNtca7al1+OWyut18XpGI+u//drrc4SRs9jK7QlT"
    "1ZfWx81e7eaE9fw+QpryC1PduF/p9kyL3YlNBjNm1ye+1edfxtDUBZBpl68J/7GLG1jN/w"
    "xKeHA1qDAcN3JE8pBM31oeLZNXdKzfiU/iz+ZPiqOVvXDi41i4dqLZfqJS6yc+E8L+Bzpg"
    "1l0wJzYgFvcTsR2g45m4YtnkgWHlJQK2jgHBBsxeaNlBnptXZNTqSy1XX3zfy5Oc+6Xiqv"
    "fDztg4vkoJM2Y8+RTC2kKtaZUgEByq29sNdOOWLRzoNn3Eo0a2L8/PxKUG8ZywzZJoxLzG"
    "XFEnutI57k/G/zgGNqT2Y3Td8wafj64mx8Ak3gL786+BSpN3ird7Am/HJwOyo+G1TZsGY3"
    "sYFKcm1zE/pJ3wmdgQ3eFf4GOqPcqdRjfQAXlzaHbZ1lfh9C1S7tiXs++F1Guze1envbN+"
    "5898qqLKyfg3yDoNeu2IGWhqQh652y2alK+gwdJpbpCw1MScTZcxmnG9IpsAs//myEC6CX"
    "TDIC6m4IDPqL17SzY6+YnNpe9sfdkF7FEYQxPc3i6t29tX2TP0XWaeMVX/3vETCn+KZ3ly"
    "STV/r0NT1S2Yv/veyhw8ZeO/tlCzzRKzzUjNKItwxGSPMj2id/YCcRnhRb7sIiW6YB9JJE"
    "twxKSiYebzCVsqoEvcKX+vKcxqpwkxoY5z2JKYYQLpKbOsqiiHV/Y7pj8Zjc5jY/qTQXLQ"
    "fn1x0mdTKIE+S4RorJXOwnwblipprPiLOvMXLn6StzPMlb/r7G+hT3IMhr9MnxW3agM7Uv"
    "nAS6mYWqZnUSqml+j1PBWThLqlSsrolOAHaDu6740UaRS73y2ijYxkyo280bcFtCEgfK+r"
    "A21wYLF//MnjK4CcY8HosBzQAwQzW5/TrrjiUGh1wWqhU/HnlFCgr3REnTR5VMkTFIPUJg"
    "ZJERzVEhyKoat4oKgYpMoFN9CSQTdIr2Y5m7EV3aq/u7osvlGb9mH89qgExm+PcjHmtxIq"
    "hlkOxIX0Z8RKcZ8S3OcCOZTYGXso80NOREzqEXKCP681ISfUlDq/5WnXlDo27LRn0JaWE0"
    "WtthIU1a1rqYOeSICa9oO0omgU5NMsH5SVFEXLXkxUxF4ADK/Pz59LVeThnsENhQ7JJ4XE"
    "Rznl6CCxF8eyTGQIDonLeu50jDxGCfANOCwrgnUTGNCmaM7TsWxsVhpWOgPexXx/fI6EaF"
    "cZq50+NW6EugU8j1e9MJFiIiI2u+EiahRDZPcTDRXKrkItumWTf0EjYwybj2/EZI885X5Y"
    "yt2X3gaGphNLFpJ4d87Gvc+TY2+54wZfXZ9cDCaT/tkxcNzpElH2ijf4sjdgFywdzfh2ja"
    "/9U5HAhrw48fu9y8vx6Fd+jfWrNnng165+HlxeinwWyLL4ldPRxeV5X5gaZGnx8Qy/2hue"
    "9s/PxVUOpWmKq+ejK3HJJA6sSQg8smI+07YgsBN2VZWINpGsHmZbcNkpQ8Vob2ZdsbPyh+"
    "VlOaqIST04qnaFRXWnvGnVFrqzkFpqSNipsr95NceHTPy9BdSBXeugriSmoMUwgtLFOm7V"
    "OqR3X6jZN7pbUdwxQyW8rQ+hnZYGsqz4AN1xfH2VxFpe0lQt6Eks6OlLvslQm8MM1POjxM"
    "SMWrSUsLM4MTx7yCDimsHMEl2gv0qbKh3AZoIjgG0LRXnMUnUTde4mQhZnu61XMVvl6Tp7"
    "Wu0QyW9KmylsUDtEXqLXd7BDJNbJh7swnhgINbn1o5EtfToaauJ8qCXEWeexyAB16eXSwB"
    "pTCqQl+x4b6eYTUbrws2krTBHtyFMr3jqnFtU7KYlSRDWDHwgyMqjaANERhhPC/tmM62Cd"
    "VUswjQWMdM05MoOG6KlYfY7l1kK4fHXXLrAar7NqCVCSCsGgA8zQCEb6xnyVoBVJVEom6I"
    "UyAyxzIDRaIj63jmMqP+/GgQ7+bwwM9swu8NIg/JNv7j82RzFYwTOUeLCp4kGXauylZlBW"
    "QJiwUyLCjSylB5dAKBPozVKseA51Fhd2hr3J4Nf+MfD+v8Ffr3qXg2Mg/ks2SmXcseO9u6"
    "ypkxPjhAZ1Rr02RZ31DVvpy5J27Vv8qEDy9EyreLUr0ztexou+hkQRTpi1sLl4c1QE5FpO"
    "87FATvMx1TmiJdTgDwvZGb1jMfubMG0h/dtcujfN8ls2ZK28VKcQWrSvOzh6X0bbzVLl1i"
    "VxL63333qMGRrvUe3vYi7I70gOMa+Hnpjfs45L++Oiey71/3w9PPOk/nOXvUtNhPjsUdjR"
    "hQA4c0tvfq1IW7btKOgqhqVom+XFiJnSDdS5b/Fq+zaygaih8nGdfRy035ITnqTZ/qY8hw"
    "2Z7ziQUjM88L705oGYVfsGaLvv8jGhaP6owQeuO5Tr8zNM24f47hkSHzZbX6XBzt8XFrd6"
    "0tawmuG97z1gPpLiSBuJJjtppprslNJc6SRbpphTOsmX6PU8nWQNwn7VzsMvMe5X3Zzw5M"
    "BfY1YbxoPTSVHgr+SU74nSw7HIpEVgy8kOJXVPPloZsqc1jvmqJ3udZqPoqeczsvycwwNL"
    "tyn78QrogscNNEZ/A7e3XHDipWQt5O0tWOr30GHpxGG7Xmx79qJ+ZmndU3WPUdKnGjfiXV"
    "AsfQpdLTMNTxm2TvykVApNUSmwAa8jJ1BYW7QudNqnwzIqscN8mdhhstjakH2kQ6Vp0aRd"
    "66Cu4jCChq1aX45Hp/2rq8HwiyTkEctjsP7NQ9ad8t/HwP9xg3snw9H4ond+DIJf67Vt7/"
    "/kSOd5SG2/O5Sjs2NGisguE+HJMKDjbLX/PWqpVjjrQ/Sk+T21XPG8yxWKVc9v4JrJrypW"
    "/SV6vQyr7jM/0rx63K5NM9PnZdYj+yWfyK23L3RBN8Gux8ugNL9eJX0c7EfP4I8jW9XzCe"
    "TI1vjNDPJkAYFvwNldfiaqYHXF6gMX/PpTcbDetNoFyHFcdmnqcbo80jdiqdO88a4zV2xx"
    "jRumbgFb3Dh6woJ45h9zJ8VN9Idngpjw7W/w4OrqmvMNXqmuB98Q1CkZuiFqs0c/sEbS9U"
    "IoNFGtOEcm1O6hFPkZtWkfrXP0/n2pLTvvC7bsvE8xOwv96P0HGZDXFu2DuALmDP1/RuOd"
    "23UGyVV42/SKk9cNSK6HxIxUgd1cYH3A5NmImKEieuvDPaQpJ7jUkeloTuaEN7dtSlgpVX"
    "SygTJ1h2oCpa0qUIa5qkZ1rkaKr8+vWs1kbhVf/xK93iQV/AshxFJMvQydvFEvH8ShrFot"
    "/6zOqkor/yR+PoxYnEHQR6MZ5zP0y2iqUpEtXcsk+gzOAKeHRMhJTqYH+QDHJBQcOBRarz"
    "jRrvshKLMjWG6Z1w2+wZzQ5/f/4gDv5D/Av98RTH2YAcLAdeDfxEXCeXqH50N9U6DbECDq"
    "gAVyKLEfb/CBDSkXinfDk0SBf4SL86oL7qFFxUvyDGz4gCB77GvA30S8P/Kejom91E3kMO"
    "Ovl/0vLFfXstHdgnbZLbBkT+DkdBfcuEdHH96Bo8PDQ2D9CP9+Ay5OXgkJOzNCWDe1/7m9"
    "BZ4jphCseMxO/hg/yiemN+LoE3AQsbB0uri9PRbpvFejDjTnXWYNMcv6O/9eVqR+Z98ELS"
    "2wc25vX3Vv8O0tK5mYuYn9LbL4w2XfQx/5CggrNkuHgcAl+OyJU0JfoyXLiSfl8UU5TqsF"
    "MhYxkIADoXODxdNj7w6MBXEgoES8iLfMsiDsTx0/rvTHkkst32O1jru287tafqnn8gt3Tg"
    "r/AnrUT9/C+Gu7J5t4tZdaSfHTtxDcSth99kTKV+oFUBI4J+1aiHezqf7aYbvrmDD7Xpaq"
    "HaAVF9YVmmU1vbmlNUyvVqbSpXUB+WhZAs21gYIzo/IT1846nqSg8ocWe9RXrKCx8Ki8Ju"
    "orghlTGuZ8qX/Uph5H1vPntebI+nA2POcTcqlZR4Zp63b+7b4OhKhJDt1SdmotNNmGhxDJ"
    "DjTShqqLLIBXeuiRYakALgBYlqJIGbZPdFQJVRHiti1nkZtB6zrCarbAuxlDwfIiczdrUN"
    "gIlXnv9LR/OeE6c90woEW9qO1f+6cTL2q7t6ySXA16ngGLCroRbYYOy0TdYKnym6HDjLgb"
    "YgFIPuxGzKx9bf7u25wQMnkhTcJUqeTqI5xRKrn266XKqOTqopd6bg/XYW+zihoKnqaEOu"
    "1dnfbO+s+1qbnnzhA9J3edDNFUeK9bJJrSeSrN9JOVUk2xwjCfA++cn2OwWhAwQzNfzEN8"
    "xYwArCtEMA+66UIHTOGclSqg4xnQ5zRPRbXDvNW25hq3SV2Qr6txHWiL3xKj7KiNWuUtE/"
    "zSkD1Fcm3RQoB3f7CX12VIRnGN2FQ0UWzT2Wlesy+zTLm2qMciJX9saxYpRdcr443QQDlj"
    "986QnlOruXTz5tJiuCw9l45atWiF73mn0gLUHUylr4J8muWDsjPpaNmLzaTZC4Dh9fn5c0"
    "2lP7vmHJkiPlvGZDpyt1s0nZ7H022cT38LtsCc9ryZLqKL4AiIMJ4Xp7SBzfepdIEBbYrm"
    "yGAFo8uSOc6KJesCZ4Esi/knPave+ROCHUuRdGEyAH+wTtsBBxAb9iNfMXsFCGt5gYspMg"
    "GifGMRAw09QBvOxBwe+1dXyILq9Irat4Ddgom7V440UY7Sfig4BzVupiRT6RMV+FJz5nw9"
    "f3QdM6rHCLtVmkx2y50uEd1uBSttrdYq67xWqdakX4af+ahGc8J95KW3xcXNlMpjMwMtIM"
    "OEank0Hq9VBWjHTYtqVfOwL8Ca15I8JHMYuBJA5lJxLwnHe/i4RdWPW6maX2Jvt01mrrFV"
    "X5owVX1pnfvSgBXQjIWOMZSqVVm27atbFUShDnBzoGHDjPo1gT9yD5BImbYB8aIa1f9tUj"
    "wvDCvU+Wj4JUienCzmeCDkubZp5/IyUS1enVs8g7g2kgsBHzFpQ22res2f8+n37AUklRUJ"
    "s/YhXcHOH074b9V4xS1Vi1XnFuspnZTqm5rkaRWdNr8pbaZCJMPtKjptzQQiMmIGFZ020u"
    "buek/Gk8QhnignQxcSqnXyJSGhMKjc7gr+3cSEfMsxcTH1Ar6G+grkAB7vlB/uxoPFAt2+"
    "I/gIzcBCdxZCapG9r2InuSphRo1bni6o+46K53VE5fFKfcKGV5mtiM7AsIW7KyoJC2Kz9i"
    "wb6M1xKQLbOmPdGfd/HfS/9cfHYezpGzy67I97kxG7Riz+joRd651dDIbHQJ8tEU42/s9D"
    "QvOtQg8ZzjkhDHcd5+8vesjyypRZVeWWoAna79zxZDQ6j80fTgZJYvn64qTPUBegs0SIxp"
    "r6yGGIwaFAFC4tmhGoJbeLzbBUyrsUvMh2qDbf9uCmDHNFktRntpwmSUxi3DNXCbmyrLOT"
    "tsrTtfY0P1PNJHcIb3sgW9RY+brOvlaBZvI7zGZSn3mb4yT4t+Re+Iyx04lv+PmXMTT1HC"
    "19RriNRtb0FOEWXw2EjvN0kARdduVl1cDKkotUlRvTYpjlUZARTDcwkZoTSbqRkewBB91h"
    "OPsJYTC1ycrh+8U4d2gQco/gXxxAyT3fwxUyiGK7l+6Iw6iufu79dPT+Q5qS3F22ipNsKC"
    "cpHCzNlsWtFC+5kZc0HHueqwUsUCXFzerMk9UGavjDQmz0ssUoM27ZwlFmQ0aVajKhJhP1"
    "irRROw+/xFAbdXPCk2NtPHPUytN15IhOxoQmertwPmMkEpbTV0TCViDHcdncYvoYBMigC5"
    "u4dwuRiNne54gppLNQs5QatzRFs5R7lBXKomAzIMqMYdGGAfPul4mfbb9lCaBTRb25J3gI"
    "rLQF/CGDctxKTbQ3wiw6AlubScVUjRm17hiO92/KbP9hqXJhFvcSxdmd8rg2kkDHrVrYOl"
    "eKtSxLl7RrXSzb3TcfZMXA0IgFcdaAryBkcMJOQb0RassmvHTKoBwxaV0rvfs9mpuCuuQz"
    "ZOVjujSUIWsII1aKCN0QcabYy6UCzuzOyc+wgaUVPm7g8X8eIyPZdnYGV1fX/FQ/z5qf8z"
    "fsf/OO+cM8eBu/8uvoF+/KA7mHtTn3zzJ1QxwvJ81Op20rigbdVt4oFh6Ql4ntogNGLJWO"
    "sM6tIfeVISRO2jbnbWYYty8Qxe6HkxG6XbPgMo15fkijDNNWzP33HdNIrXnnl/72rnmriB"
    "Ft83pGL1eXiBF169TqIHTY9/GcNfPBkyNBlDlTJDq6W/IPtZ+ocR/zCaNujv3cGti4ldoQ"
    "YHufuRuw2gRSlcqZZNnKUM9kFL98BY3vRM2Opi6xKcC3A4EdoPyUmZXuAAdiCg6IDZiTXD"
    "h7dQzYjSXroQDBEFgsaVQ9w09sDfLI2iVQ2XMyBDnfk3qiEJTflVanLp1lFxQdP7MuxOUn"
    "5WubVswMq+Ybeb3bJiTk2qyFs4Hmjv4z5O0RykS2PUvbKtHzruYCic7piTOChMa2YQ4pOz"
    "FIl8c6yaCZt668HVYZw7j1zcIBnCeGDNNtHLrxg/tEoCDgWTmAzMWIiT2vG6iYPe0fsJgP"
    "qNh6yY/oO7i9jRSa12sV5u3tq/TQrcLnKC11jRuwovFZfeS+rRaiWu69zBKJn7wVg999L4"
    "sw7DTMkJXEO7Rpw+rfc2A+9UItZTTmRQHmEpZ7jDIXXmlsmDlvEMPPNdZYgyxT3tOWqtTL"
    "l3qb0C2X4uKWSl9S67m3WmZv2YKrWmZ/iV7PW2aXiE62h1WkTv7qUalVo3KMA98w7Rt4IZ"
    "7Eaq23kGPpjw6YE5vN+7te+KfozmoKfIGq0xVhnyybcPyd7E3ZFTxDMQ0NZRqedTNVzXYj"
    "VE031IfVaTfOj1DPUqbktihh+jYtwewsrjffmbL16QGh8R53tYgeTX5by2h81h/zTSu+/Q"
    "2+7A3Yn5aO2O9f+v/40h8eA1Yb2Uvf4OQmmG/jwWTCE6xsRCmsyekCljs1kSHLQ8StWrCL"
    "c98UBBtebdHQx61aAHvlARsbutuhNeV8i6M01BkaRX2tCJYPbZtIKbPiVi0ox5U3HIo8bB"
    "mNpMjDl+j1Unt02Bc8RaiXbd+mmeKe93+rY3bropNMFO20Q5RWMnsTVWaT8HS9pDrUWMoL"
    "ezzUuMem5caik7EK5N/pFi0C6es0m9aA8lHa8QrLS1leeeLULH/h5AHawdkwZedpEZNWaA"
    "j3cHItr1QSCPvJW4jum8PDMuTw4WE+O8zvJebBBFOIM6ZDX69Gw5wJ8NokOQ9CBgX/ASZy"
    "mjgWLgCXg1FMnSVZsm58FsMzOMkaiu1T0/DnfwGKEYC5"
)

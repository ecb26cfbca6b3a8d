from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "material" ADD "original_format" VARCHAR(16) NOT NULL DEFAULT '';
        ALTER TABLE "material" ADD "original_width" INT;
        ALTER TABLE "material" ADD "original_size" INT NOT NULL DEFAULT 0;
        ALTER TABLE "material" ADD "warnings" JSONB NOT NULL;
        ALTER TABLE "material" ADD "original_height" INT;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "material" DROP COLUMN "original_format";
        ALTER TABLE "material" DROP COLUMN "original_width";
        ALTER TABLE "material" DROP COLUMN "original_size";
        ALTER TABLE "material" DROP COLUMN "warnings";
        ALTER TABLE "material" DROP COLUMN "original_height";"""


MODELS_STATE = (
    "eJztXW132jgW/is6fEr2MD0pSdNsZs+eQxLaoZNATkKns9PMMcIWoIktubJcys72v68k2+"
    "BXggkmxvWXBK7ule3n6uW+WfzdsKiBTOfVBzpqnIO/GwRaSHwIk5ugAW17SZQEDkem4vvL"
    "Zxg5nEGdC9IYmg4SJAM5OsM2x5RIxj5BwCWYAzoGBhojxpABZpQ9vpLyBtVFB5hMnmYVLV"
    "9cpHE6QXyKmBD4/KcgY2Kgb8iRXz83HA65q26UuUSDvPGnZLEftTFGphF5UGxINkXX+NxW"
    "tAs86RL+TvHKmxtpOjVdiyz57TmfUrIQwIRL6gQRxCBH8gqcuRIF4pqmj1UAjPcASxbvzk"
    "My4pmha0ospbR3A0taQ9N6/YF23xloWiOBcyARwtMn6ZRIHYlbdRQAE3kLP/2z1To+fts6"
    "Oj49e3Py9u2bs6MzwavuN9n09rt3M0u0vK4UZt333d5A3hAVA8EbHJLwXclADj0ppaAl+o"
    "/i4ZP4X04hS0c/4I/hLx4sjn+A9ioFBISlBpaDdxcqsOA3zURkwqfi6+nJCnR/a99d/tK+"
    "Ozg9OYxC3PNbWqpJgr0E14Zzk8IUfD/c93vp+IZEYhAbWOfgf8DETmKobwvqxr/GLtElim"
    "DkYpNj4rySl/13oyAFrABcQiR7thznixkG+uCm/XtcB5fX/QsFGXX4hKleVAcXMYUsl6Xk"
    "eO8Q11I66YpbhERHCd0spXc3+hs2IoaEMJ8GGred3lW39/4c+PIP5O5jr6coYkUminLV73"
    "XOgUEJEp877SvxGXlDL+/UeX26xtR5fZo5dWRTVFOQc2TZPEVXmRtDWOTp7WFbCjoqdnto"
    "vT55e3J2fHqy2BUWlFWbQbDwh+wJoa8NQI2L7Q7Ysz0B1jdwEpBeCTw4tlA6rkup+DLvi7"
    "0KPuzhvroCv0H3pnM/aN/cRtb2q/agI1taijqPUQ/iC8eiE/CpO/gFyK/gD7GYxbeABd/g"
    "j4a8J+hyqhE606ARxiQgB6SIeg1kuDbSHtE8j5kUldpou/Bt0ZIYq9HlvnW2znrfOste8G"
    "VbdB6ZVH9EhjbKhXNEaCswV9wk9QFzCcdm3jUrLruFlatk6Fdp4TKhwzXhulOW1PMAfcvY"
    "76NSVZhRq3Ta+X2w2sdYqPS633sfsMcdj+gM0xmS2GxgE0QlK2gXNMQDGn1izv1RsifTzR"
    "/QK2ebaxsbaj0qWWu9LFpPWWT9u19qfYwJdqYbqT0mWu+l5VGzN7tlwHr8GAqaSsII6o8z"
    "yAwt0hJxBlO86wtf6t2vd8iECsikypcB/zuX7OE0/x6M8IAaTBiJG23RLCSTTVbLilMggR"
    "P1SPLa8kpRtNITJz6OK3MnGvOZ1sqf+JEQ8R9AIKSbYEwZoLbUE2UOgMRQFJvRrwIrjwkw"
    "SAAlOkpPtGyhz6czMnX2pZTZF1/3+YOcuw3FFa+HrUXjZJYSpXg82SGEpUSd01ojgOBwyD"
    "YzdKOSFTR0993iqS3bH0/P1OU69ZSwSUo0JF7iWFEjnOm86wzu/nMOGOJsHs57PpDr/v3g"
    "HJjUS7C/fA40d/Cujts9I24nnYG81vBSpkrG2A6M4oRzHdFDUgnvKEN4Qn5F88R6lOlG76"
    "ECsnxoQWZwtnDfQuNOPLl4XsS9Nbt9f9m+6jS+Z4cqinTGPyGxafCPjvJAEw55qLW5yimf"
    "IV3waW7AuJZjLtxlgg1ZrygcYPFvjHUMTQB1nbqEgwPpUXttlrBOfhK+9IRBqwnEpQhBJh"
    "gOLXs4PEz30LfZeYqr/rnhMyp9qmt55ZK1/16Gpaq5wn/3tZVqPKXjv5Sovc01vM3QzFgX"
    "4ZDIDsv0KGzsBOJ1Ci+yyy4SRRfiIWnOERwSKcjMfLnClgLCJe5I3tcIpa3TlJoIkoxoSU"
    "QwhvRISBY1lBeU3dr0F/3+dcSmv+jGjfaPNxcd4UIp9AUT5pFVOg3zTaJUceE6flHm+IVL"
    "nqXtFPFa32XWt6pPcnSBf549KypVhehI4YZXXcVUsXqWuorpR9R6VhVTjuqWIkNGl5R8Rc"
    "yBvjYSQaNIe3NV2EiPcz4ZN/o0RQwBKt91dRADB7b44zuPhwA75yqiI3rAXxEwGBzzpqI4"
    "HNlNMJtCrr6OKAdwBjF3ksGjQq5QR5CqFEGqAxzFBjjqCF3BhmIdQSq84AbZedAN+Gsv52"
    "ls1bbqv129Lr5hmephfNxaA+PjVibGsilWxWBkQLwy/BmSqmOfOWKfU+xwylLeocw+ciIk"
    "Uo4jJ+T1KnPkRO1SZ6881XKpI2YnMxDLXU4UltqooKhsW0sZ6okUqEk95K4o6gf97JcO1i"
    "0pCo+9SFGRuAHQ+3h9/VJVRR7uKbGhhUKyg0LqoZz1wkHqXRzbNrGuYkiyrGcCCfYiSkC+"
    "gCO6ogSaQEeM47HkE90wMRpmUADvEvl+fEYJ0bY6rt/0KfEi1FwR5/GmF6G5IhEhme3EIk"
    "p0hsj2HY36KLsCa9FtRv9CeooNm41vSGSHccrdRCm3P3r38Gg6lbLIiXfj6q79bnDupTse"
    "yP3Hi5vuYNC5OgeOO7IwF7f4QG7bXUGwITbk6xofOpeKgSE5nGR7+/b2rv+bpIl9ldGvkn"
    "b/S/f2VvUzxbYtKZf9m9vrjhLVqWVLe0ZS273LzvW1okooTVNRr/v3imRSB5XkCDw6EzrT"
    "Nghgx+SKGhFVCrJ6mG0Qy04I1hHtp6OuxJn5Zvm6MaqQSDliVNU6FtUdyaVVm0JnmivVEJ"
    "Orx/7TY9+S74xoY0SSQGe/9B8RqlBkaGuv/cvukYBIloD4BSBrp9OTonVa52l7NYBtgwLB"
    "iGRdblueMHayIHBhlG9WSR+RrTVdZk3XBb/ZS+l+5qnqgt8fUetbKPiNbPKLotpnnmsXr+"
    "Tdy5U+ebhd9Ih9jhiG5jORuvG72cM5kwlTkQnCBV4pOcIwltlpQivMtd4PKdnyV1qQAcbY"
    "RN6BfYIa9AMck3JwICvxDuXRAPKsPpnL+VnVcxM0Qw5XAuoAgZTC8e1f4oE8kIFoUZ1hx+"
    "OizIImdsQ1Ptx23oMD12Z4MuVN0QIsxKHMZjXBg9tqnZ6A1tHREbC/Lb6/BjcXhz+D4ZAK"
    "IUygqf1jOHwgHlgjtKxf93OfhANp9jeFhNC5/AUSZzhUDF9ccRd8Lk84FAqxHPGwLjHAwX"
    "A4ovwVtoTaHdm1LjTnHMrKeKxPlSRDX7F4VCZ6Ro6gIxK7oj6lDgKcgkeEbNVmT6n4Csl8"
    "Budr/5xVODkuga9/zqqkaValnAT+KyJYPn8Fc4BF/JwVzxUeDPgrCG7rzZs10BVcmfCqtk"
    "RIhcvAiAIqB85xuQriXUBZPf5vCsiZy3TAXqVzvrYWfXWmsPXmNNe6u5CoB+sag3WGjbSl"
    "N3O0LvjrXEFKiTySRm4ONJcCNZwpk5+6TM+1Xy0ldlis4h0rV1TGtuhakMBjypMzD8uUI2"
    "leqRc7Fm7vWLrRubyOFNHKVcgVUA8VoJbTdEvI1T8OGl/DFxDlNTSSgvUWuQLe3KZHimQN"
    "cEr5R528rFgaa53k5Qu9ZFc6Df+Ib9mVTQnPfs3uhc/ubiOG9WkjJYXmtzRXJdDgkuep9F"
    "k2olt+t+1Hybg8cxPNzqVsUEv53BrKss3qHQT95aTKgbDPXkF0Xx8dreMxHh1lu4yyLTWl"
    "kidsEhLZfdTkZYoVtxYfyVFktP3N7Pv/AXWYd4A="
)

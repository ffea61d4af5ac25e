gen/shop.rtp.c gen/shop.rtp.h: rtgen/good/shop.rtp
gen/ask.rtp.c gen/ask.rtp.h: rtgen/good/ask.rtp

"""policytekst.topics"""

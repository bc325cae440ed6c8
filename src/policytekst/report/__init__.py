"""policytekst.report"""

import xml.sax
from xml.sax.handler import feature_external_ges, feature_external_pes


def positives(stream, handler):
    parser = xml.sax.make_parser()
    # ruleid: python-xml-external-entities-enabled
    parser.setFeature(feature_external_ges, True)
    # ruleid: python-xml-external-entities-enabled
    parser.setFeature(xml.sax.handler.feature_external_pes, 1)
    # ruleid: python-xml-external-entities-enabled
    parser.setFeature("http://xml.org/sax/features/external-general-entities", True)
    parser.setContentHandler(handler)
    parser.parse(stream)


def negatives(stream, handler):
    parser = xml.sax.make_parser()
    # ok: python-xml-external-entities-enabled
    parser.setFeature(feature_external_ges, False)
    # ok: python-xml-external-entities-enabled
    parser.setFeature(feature_external_pes, False)
    # ok: python-xml-external-entities-enabled
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
    parser.setContentHandler(handler)
    parser.parse(stream)

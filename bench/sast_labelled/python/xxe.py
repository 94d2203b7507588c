from lxml import etree


def parse_upload(data):
    # vuln: xxe
    parser = etree.XMLParser(resolve_entities=True)
    return etree.fromstring(data, parser)


def parse_dtd(data):
    # vuln: xxe
    parser = etree.XMLParser(load_dtd=True, no_network=False)
    return etree.fromstring(data, parser)


def safe_parse(data):
    # safe: xxe
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(data, parser)

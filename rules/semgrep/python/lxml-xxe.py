from lxml import etree


def positives(body):
    # ruleid: python-lxml-xxe
    parser = etree.XMLParser(resolve_entities=True)
    # ruleid: python-lxml-xxe
    parser2 = etree.XMLParser(load_dtd=True, no_network=True)
    # ruleid: python-lxml-xxe
    parser3 = etree.XMLParser(no_network=False, resolve_entities=False)
    return etree.fromstring(body, parser), parser2, parser3


def negatives(body):
    # ok: python-lxml-xxe
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    # ok: python-lxml-xxe
    parser2 = etree.XMLParser(remove_blank_text=True, resolve_entities=False)
    return etree.fromstring(body, parser), parser2

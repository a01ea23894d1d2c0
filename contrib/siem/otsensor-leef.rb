version=2
# liblognorm rulebase for otsensor's LEEF 2.0 payload (rsyslog mmnormalize):
# LEEF:2.0|otsensor|otsensor|VERSION|EVENT_ID|x09|devTime=..<tab>src=..<tab>...
# Needs parser.escapeControlCharacterTab="off" in rsyslog's global().
rule=:LEEF:2.0|%vendor:char-to:|%|%product:char-to:|%|%version:char-to:|%|%eventid:char-to:|%|x09|%attrs:repeat{"parser":[{"type":"char-to","name":"n","extradata":"="},{"type":"literal","text":"="},{"type":"char-sep","name":"v","extradata":"\t"}],"while":[{"type":"literal","text":"\t"}]}%

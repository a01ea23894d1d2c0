version=2
# liblognorm rulebase for otsensor's CEF payload (rsyslog mmnormalize):
# CEF:0|otsensor|otsensor|VERSION|SIGNATURE_ID|NAME|SEVERITY| rt=.. src=.. ...
rule=:%cef:cef%

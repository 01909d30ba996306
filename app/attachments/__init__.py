"""Photos as evidence (拍照): taken and compressed on the phone, uploaded when the network
allows, checked and cleaned here, then put on a visit, a case step or a 回访."""

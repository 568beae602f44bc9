# The udev rule for the board, from plain values: builtins only, so it evaluates without nixpkgs.
{ vendorId, productId, serial ? null, symlink, group, mode }:
let
  match = ''SUBSYSTEM=="tty", ATTRS{idVendor}=="${vendorId}", ATTRS{idProduct}=="${productId}"''
    + (if serial == null then "" else '', ATTRS{serial}=="${serial}"'');
in
# ID_MM_DEVICE_IGNORE: ModemManager would otherwise probe the new ttyACM with AT commands,
# resetting the board and holding the port while the agent tries to open it.
''
  # fluxlight: the status-light board, by USB id, under a name that does not move.
  ${match}, SYMLINK+="${symlink}", GROUP="${group}", MODE="${mode}", ENV{ID_MM_DEVICE_IGNORE}="1"
''

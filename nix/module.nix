# NixOS module for the node the board is plugged into: a stable device name, owned by a group
# the agent's pod joins (supplementalGroups), and optionally squat/generic-device-plugin's config.
{ config, lib, ... }:
let
  cfg = config.services.fluxlight;
  inherit (lib) mkOption mkEnableOption mkIf types;
  hex4 = types.strMatching "[0-9a-f]{4}";
in
{
  options.services.fluxlight = {
    enable = mkEnableOption "a stable device name for the fluxlight board";

    usb = {
      vendorId = mkOption {
        type = hex4;
        default = "2341";
        description = "USB vendor id, lowercase hex as udev reports it (2341: Arduino; 1a86: CH340 clones).";
      };
      productId = mkOption {
        type = hex4;
        default = "0043";
        description = "USB product id (0043: Uno R3; 7523: CH340).";
      };
      serial = mkOption {
        type = types.nullOr (types.strMatching "[A-Za-z0-9._-]+");
        default = null;
        description = "The board's USB serial number, when several boards share the ids.";
      };
    };

    symlink = mkOption {
      # No segment may start with a dot: "../ttyS0" would point the name elsewhere.
      type = types.strMatching "[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*";
      default = "fluxlight";
      description = "Name of the symlink under /dev/; the chart's `serialPath` is /dev/<symlink>.";
    };

    group = mkOption {
      type = types.strMatching "[a-z_][a-z0-9_-]*";
      default = "dialout";
      description = "Group owning the device; its gid is the chart's `deviceGroup` (dialout is 27 on NixOS).";
    };

    mode = mkOption {
      type = types.strMatching "0[0-7]{3}";
      default = "0660";
      description = "Mode of the device node: owner and group only.";
    };

    devicePath = mkOption {
      type = types.str;
      readOnly = true;
      default = "/dev/${cfg.symlink}";
      description = "The stable path, for other modules and for the chart's `serialPath`.";
    };

    devicePlugin = {
      enable = mkEnableOption "a squat/generic-device-plugin config that advertises the board";
      name = mkOption {
        type = types.strMatching "[a-z0-9][a-z0-9-]*";
        default = "serial";
        description = "Device name: the plugin advertises it as squat.ai/<name>, the chart's `deviceResource`.";
      };
      configFile = mkOption {
        type = types.strMatching "[A-Za-z0-9._/-]+";
        default = "generic-device-plugin/config.yaml";
        description = ''
          Path under /etc. The default is where the plugin looks when started without --config;
          its DaemonSet must mount /etc/generic-device-plugin from the host.
        '';
      };
    };
  };

  config = mkIf cfg.enable {
    services.udev.extraRules = import ./udev-rule.nix {
      inherit (cfg.usb) vendorId productId serial;
      inherit (cfg) symlink group mode;
    };

    users.groups.${cfg.group} = { };

    # JSON is YAML: the plugin reads it with viper either way.
    environment.etc = lib.optionalAttrs cfg.devicePlugin.enable {
      ${cfg.devicePlugin.configFile}.text = builtins.toJSON {
        devices = [{
          name = cfg.devicePlugin.name;
          groups = [{ paths = [{ path = cfg.devicePath; }]; }];
        }];
      };
    };
  };
}

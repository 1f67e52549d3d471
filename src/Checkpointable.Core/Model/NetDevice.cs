namespace Checkpointable.Model;

/// <summary>One network device of a namespace (RTM_NEWLINK: ifinfomsg + IFLA_IFNAME + IFLA_LINKINFO/IFLA_INFO_KIND).</summary>
/// <param name="Type">ifi_type, an ARPHRD_* value (1 ether, 772 loopback, 65534 none, …).</param>
/// <param name="Kind">IFLA_INFO_KIND ("veth", "vxlan", …), null when the device has none (a physical NIC).</param>
public sealed record NetDevice(int Index, string Name, ushort Type, string? Kind);

#!/usr/bin/env python3
"""ns-3 beside bench/sim_tcp.py: BulkSendApplication -> PacketSink across one switch.

Topology : 2 hosts, 1 switch node (BridgeNetDevice over 2 CsmaNetDevices), one CsmaChannel
           per host (100 Mbps, 1 us), as shared/bench/ns3/lan_switched.py builds its star.
TCP      : NewReno, SegmentSize 1460, SndBufSize/RcvBufSize 131072, delayed ACK every 2
           segments (ns-3 defaults otherwise); sender host 0 -> host 1 port 5001, MaxBytes N.
Measured : wall seconds of Simulator::Run() only, and the simulated time at which the sink
           had received all N bytes. One JSON line on stdout. Runs in /tmp/ns3-venv
           (see shared/bench/ns3/README.md for its set-up).
"""

import argparse
import json
import time

ap = argparse.ArgumentParser()
ap.add_argument("--bytes", type=int, default=10 * 1024 * 1024)
args = ap.parse_args()

from ns import ns  # noqa: E402
import cppyy  # noqa: E402

cppyy.cppdef(r"""
namespace bulk {
using namespace ns3;
static uint64_t g_total = 0, g_goal = 0;
static double g_done = -1;
static void Rx(Ptr<const Packet> p, const Address&) {
  g_total += p->GetSize();
  if (g_done < 0 && g_total >= g_goal) g_done = Simulator::Now().GetSeconds();
}
void Hook(uint64_t goal) {
  g_goal = goal;
  Config::ConnectWithoutContext("/NodeList/*/ApplicationList/*/$ns3::PacketSink/Rx", MakeCallback(&Rx));
}
double Done() { return g_done; }
uint64_t Total() { return g_total; }
}
""")
B = cppyy.gbl.bulk

ns.Config.SetDefault("ns3::TcpL4Protocol::SocketType", ns.StringValue("ns3::TcpNewReno"))
ns.Config.SetDefault("ns3::TcpSocket::SegmentSize", ns.UintegerValue(1460))
ns.Config.SetDefault("ns3::TcpSocket::SndBufSize", ns.UintegerValue(131072))
ns.Config.SetDefault("ns3::TcpSocket::RcvBufSize", ns.UintegerValue(131072))

hosts = ns.NodeContainer()
hosts.Create(2)
sw = ns.NodeContainer()
sw.Create(1)
csma = ns.CsmaHelper()
csma.SetChannelAttribute("DataRate", ns.StringValue("100Mbps"))
csma.SetChannelAttribute("Delay", ns.TimeValue(ns.NanoSeconds(1000)))
host_devs = ns.NetDeviceContainer()
sw_devs = ns.NetDeviceContainer()
for i in range(2):
    pair = ns.NodeContainer()
    pair.Add(hosts.Get(i))
    pair.Add(sw.Get(0))
    link = csma.Install(pair)
    host_devs.Add(link.Get(0))
    sw_devs.Add(link.Get(1))
ns.BridgeHelper().Install(sw.Get(0), sw_devs)
stack = ns.InternetStackHelper()
stack.SetIpv6StackInstall(False)
stack.Install(hosts)
addresses = ns.Ipv4AddressHelper()
addresses.SetBase(ns.Ipv4Address("10.1.1.0"), ns.Ipv4Mask("255.255.255.0"))
ifs = addresses.Assign(host_devs)

sink = ns.PacketSinkHelper("ns3::TcpSocketFactory", ns.InetSocketAddress(ns.Ipv4Address.GetAny(), 5001).ConvertTo())
sink.Install(hosts.Get(1)).Start(ns.Seconds(0.0))
bulk = ns.BulkSendHelper("ns3::TcpSocketFactory", ns.InetSocketAddress(ifs.GetAddress(1), 5001).ConvertTo())
bulk.SetAttribute("MaxBytes", ns.UintegerValue(args.bytes))
bulk.SetAttribute("SendSize", ns.UintegerValue(65536))
bulk.Install(hosts.Get(0)).Start(ns.Seconds(0.0))
B.Hook(args.bytes)

ns.Simulator.Stop(ns.Seconds(3600))
wall = time.perf_counter()
ns.Simulator.Run()
wall = time.perf_counter() - wall
print(
    json.dumps(
        {"bytes": int(B.Total()), "sim_s": B.Done(), "wall_run_s": wall, "events": int(ns.Simulator.GetEventCount())}
    )
)
ns.Simulator.Destroy()

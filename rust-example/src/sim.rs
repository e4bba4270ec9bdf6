// SPDX-License-Identifier: MIT OR Apache-2.0
//! A message-routing simulation: nodes on a ring with shortcut links send
//! messages with variable-size payloads; an event queue drives hops through
//! bounded per-node queues. Payload bytes are derived from the message id and
//! verified on delivery, so a heap that damaged a live block would be caught.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};

/// Simulation parameters.
#[derive(Clone, Copy)]
pub struct Config {
    pub seed: u64,
    pub nodes: u16,
    pub messages: u32,
    pub queue_cap: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self { seed: 42, nodes: 24, messages: 20_000, queue_cap: 6 }
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Message {
    id: u32,
    dst: u16,
    payload: Vec<u8>,
    route: Vec<u16>,
    label: String,
}

fn payload_byte(id: u32, i: usize) -> u8 {
    (id as usize).wrapping_mul(2_654_435_761).wrapping_add(i * 131).to_le_bytes()[1]
}

#[derive(Default, Debug)]
struct NodeStats {
    sent: u32,
    delivered: u32,
    dropped: u32,
    forwarded: u32,
    bytes: u64,
}

enum Event {
    Send { src: u16 },
    Hop { node: u16 },
}

/// Next node on the way from `at` to `dst`: a shortcut of n/4 when it does
/// not overshoot, else one step around the ring.
fn next_hop(at: u16, dst: u16, n: u16) -> u16 {
    let dist = (dst + n - at) % n;
    let jump = n / 4;
    if dist >= jump && jump > 1 {
        (at + jump) % n
    } else {
        (at + 1) % n
    }
}

/// Run one simulation; a one-line summary, or what went wrong.
pub fn run(cfg: Config) -> Result<String, String> {
    let mut rng = Rng(cfg.seed | 1);
    let n = cfg.nodes;
    let mut queues: Vec<VecDeque<Box<Message>>> = (0..n).map(|_| VecDeque::new()).collect();
    let mut stats: BTreeMap<u16, NodeStats> = BTreeMap::new();
    let mut events: BinaryHeap<Reverse<(u64, u64, u16, bool)>> = BinaryHeap::new();
    let mut log: VecDeque<String> = VecDeque::new();
    let mut seq = 0u64;
    let mut push = |events: &mut BinaryHeap<_>, t: u64, node: u16, send: bool| {
        seq += 1;
        events.push(Reverse((t, seq, node, send)));
    };
    for i in 0..cfg.messages {
        push(&mut events, u64::from(i) / 2, rng.below(u64::from(n)) as u16, true);
    }
    let (mut created, mut delivered, mut dropped, mut hops) = (0u32, 0u32, 0u32, 0u64);
    while let Some(Reverse((now, _, node, send))) = events.pop() {
        let event = if send { Event::Send { src: node } } else { Event::Hop { node } };
        match event {
            Event::Send { src } => {
                let id = created;
                created += 1;
                let big = rng.below(10) == 0;
                let size = 8 + rng.below(if big { 2048 } else { 256 }) as usize;
                let mut dst = rng.below(u64::from(n)) as u16;
                if dst == src {
                    dst = (dst + 1) % n;
                }
                let msg = Box::new(Message {
                    id,
                    dst,
                    payload: (0..size).map(|i| payload_byte(id, i)).collect(),
                    route: vec![src],
                    label: format!("msg#{id} {src}->{dst}"),
                });
                let s = stats.entry(src).or_default();
                s.sent += 1;
                s.bytes += size as u64;
                if queues[src as usize].len() >= cfg.queue_cap {
                    s.dropped += 1;
                    dropped += 1;
                } else {
                    queues[src as usize].push_back(msg);
                    push(&mut events, now + 1 + rng.below(4), src, false);
                }
            }
            Event::Hop { node } => {
                let Some(mut msg) = queues[node as usize].pop_front() else { continue };
                hops += 1;
                if msg.dst == node {
                    if msg.payload.iter().enumerate().any(|(i, &b)| b != payload_byte(msg.id, i)) {
                        return Err(format!("{} arrived damaged", msg.label));
                    }
                    stats.entry(node).or_default().delivered += 1;
                    delivered += 1;
                    if log.len() == 64 {
                        log.pop_front();
                    }
                    log.push_back(format!("{} via {} hops at t={now}", msg.label, msg.route.len()));
                    continue;
                }
                let next = next_hop(node, msg.dst, n);
                msg.route.push(next);
                stats.entry(node).or_default().forwarded += 1;
                if queues[next as usize].len() >= cfg.queue_cap {
                    stats.entry(node).or_default().dropped += 1;
                    dropped += 1;
                } else {
                    queues[next as usize].push_back(msg);
                    push(&mut events, now + 1 + rng.below(3), next, false);
                }
            }
        }
    }
    let sum = |f: fn(&NodeStats) -> u32| stats.values().map(f).sum::<u32>();
    if created != cfg.messages || created != delivered + dropped {
        return Err(format!("{created} created != {delivered} delivered + {dropped} dropped"));
    }
    if sum(|s| s.sent) != created || sum(|s| s.delivered) != delivered || sum(|s| s.dropped) != dropped {
        return Err("per-node statistics disagree with the totals".into());
    }
    if queues.iter().any(|q| !q.is_empty()) || delivered == 0 {
        return Err("messages left in queues, or none delivered".into());
    }
    let bytes: u64 = stats.values().map(|s| s.bytes).sum();
    Ok(format!(
        "{created} messages ({} KiB of payload) over {n} nodes: {delivered} delivered, {dropped} dropped, {hops} hops; last: {}",
        bytes / 1024,
        log.back().map_or("-", String::as_str)
    ))
}

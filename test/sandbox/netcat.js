#!/usr/bin/env node
// Tiny traffic tool for sandbox tests, run inside a namespace with `ip netns exec`:
//   serve-tcp <host> <port>   greet each client with "hello <its address>", then echo lines
//   serve-udp <host> <port>   answer each datagram with "udp <sender address>"
//   probe-tcp <host> <port>   print the greeting, exit 0; exit 1 if nothing within 2 s
//   probe-udp <host> <port>   send one datagram, print the answer, exit 0; exit 1 after 2 s
//   hold-tcp <host> <port>    print the greeting, then send each stdin line and print its echo ("DEAD" if none in 2 s)
// NETCAT_SOURCE=<address> makes clients connect from that local address.
import dgram from 'node:dgram'
import net from 'node:net'
import readline from 'node:readline'

const [mode, host, portText] = process.argv.slice(2)
const port = Number(portText)
const strip = (address) => address.replace(/^::ffff:/, '')

if (mode === 'serve-tcp') {
  net.createServer((socket) => {
    socket.write(`hello ${strip(socket.remoteAddress)}\n`)
    socket.on('data', (data) => socket.write(data))
    socket.on('error', () => {})
  }).listen(port, host, () => console.log('ready'))
} else if (mode === 'serve-udp') {
  const socket = dgram.createSocket('udp4')
  socket.on('message', (_, rinfo) => socket.send(`udp ${rinfo.address}\n`, rinfo.port, rinfo.address))
  socket.bind(port, host, () => console.log('ready'))
} else if (mode === 'probe-tcp' || mode === 'hold-tcp') {
  const socket = net.connect({host, port, localAddress: process.env.NETCAT_SOURCE})
  const timer = setTimeout(() => process.exit(1), 2000)
  let greeted = false
  let pending
  socket.on('data', (data) => {
    const text = String(data).trim()
    if (!greeted) {
      greeted = true
      clearTimeout(timer)
      console.log(text)
      if (mode === 'probe-tcp') process.exit(0)
      readline.createInterface({input: process.stdin}).on('line', (line) => {
        pending = setTimeout(() => console.log('DEAD'), 2000)
        socket.write(`${line}\n`)
      })
      return
    }
    clearTimeout(pending)
    console.log(text)
  })
  socket.on('error', () => console.log('DEAD'))
  socket.on('close', () => {
    if (!greeted) process.exit(1)
  })
} else if (mode === 'probe-udp') {
  const socket = dgram.createSocket('udp4')
  setTimeout(() => process.exit(1), 2000)
  socket.on('message', (data) => {
    console.log(String(data).trim())
    process.exit(0)
  })
  socket.send('probe', port, host)
} else {
  console.error(`unknown mode ${mode}`)
  process.exit(2)
}

// A small plain-JS app over the `ues` package: a node in the tab (IndexedDB),
// an identity, posts written as signed AT Protocol records, search, and a
// CAR export/import with progress. Also the package's usage example.
import { Node } from 'ues'

const $ = (id) => document.getElementById(id)
const POST = 'app.bsky.feed.post'
let node

function show(section) {
  for (const id of ['onboard', 'unlock', 'app']) $(id).hidden = id !== section
}

function fail(e) {
  $('error').textContent = e?.code ? `${e.code}: ${e.message}` : String(e)
}

async function guard(fn) {
  $('error').textContent = ''
  try {
    await fn()
  } catch (e) {
    fail(e)
  }
}

function renderPosts(records) {
  const list = $('posts')
  list.replaceChildren()
  for (const r of records) {
    const li = document.createElement('li')
    li.dataset.uri = r.uri
    const body = document.createElement('div')
    const text = document.createElement('p')
    text.textContent = r.value.text
    const time = document.createElement('time')
    time.textContent = new Date(r.value.createdAt).toLocaleString()
    body.append(text, time)
    const del = document.createElement('button')
    del.textContent = '✕'
    del.title = 'delete'
    del.onclick = () => guard(async () => {
      await node.deleteRecord(POST, r.uri.split('/').pop())
      await refresh()
    })
    li.append(body, del)
    list.append(li)
  }
}

async function refresh() {
  const acct = await node.account()
  if (!acct) return show('onboard')
  if (acct.locked) return show('unlock')
  show('app')
  $('did').textContent = acct.did
  const q = $('search').value.trim()
  if (q) {
    const { uris } = await node.searchPosts(q)
    const records = []
    for (const uri of uris) {
      const r = await node.getRecord(POST, uri.split('/').pop())
      if (r) records.push(r)
    }
    renderPosts(records)
  } else {
    renderPosts((await node.listRecords(POST, { reverse: true, limit: 100 })).records)
  }
  $('status').textContent = `node ready · ${(await node.repos()).length} repo(s) · IndexedDB`
}

$('create-form').onsubmit = (ev) => {
  ev.preventDefault()
  guard(async () => {
    await node.createAccount({ passphrase: $('create-pass').value || undefined })
    await refresh()
  })
}
$('unlock-form').onsubmit = (ev) => {
  ev.preventDefault()
  guard(async () => {
    await node.unlock($('unlock-pass').value)
    await refresh()
  })
}
$('compose').onsubmit = (ev) => {
  ev.preventDefault()
  guard(async () => {
    await node.createRecord(POST, { $type: POST, text: $('text').value, createdAt: new Date().toISOString() })
    $('text').value = ''
    await refresh()
  })
}
$('search').oninput = () => guard(refresh)
$('search-form').onsubmit = (ev) => ev.preventDefault()
$('export').onclick = () => guard(async () => {
  const car = await node.exportCar()
  const a = document.createElement('a')
  a.href = URL.createObjectURL(new Blob([car], { type: 'application/vnd.ipld.car' }))
  a.download = 'repo.car'
  a.click()
  URL.revokeObjectURL(a.href)
})
$('import').onchange = (ev) => guard(async () => {
  const file = ev.target.files[0]
  if (!file) return
  const bar = $('progress')
  bar.hidden = false
  const res = await node.importCar(file, {
    onProgress: (p) => {
      if (p.phase !== 'receive') bar.value = p.done
    },
  })
  $('status').textContent = `imported ${res.records} records of ${res.did}`
  bar.hidden = true
  ev.target.value = ''
})

guard(async () => {
  node = await Node.open({ name: 'www' })
  node.on('*', (e) => {
    $('events').textContent = `${JSON.stringify(e)}\n${$('events').textContent}`.slice(0, 5000)
  })
  await refresh()
})

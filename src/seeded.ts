/**
 * Fixed ids that the shipped seed (seeds/mail-online-2020-10-21.json) gives its records, named
 * here for the documentation's examples: on a freshly seeded database, "Try it out" in the
 * Swagger UI finds what the examples name. test/seed.test.ts holds these equal to the seed file.
 */
export const SEEDED = {
  source: {
    mailOnline: '01754a62-f280-7781-9c7f-666f846b87f2'
  },
  speakers: {
    pashinyan: '01754a62-f281-71aa-9bcd-d388ee8f51f1',
    aliyev: '01754a62-f282-72fa-aad5-1a322af13e6e',
    nagdalyan: '01754a62-f283-70fd-be45-3287845f16c1',
    governmentOfArmenia: '01754a62-f284-7155-8b73-7d501d62d87a',
    governmentOfAzerbaijan: '01754a62-f285-701f-aa72-5ff385b36204',
    russianForeignMinistry: '01754a62-f286-72b9-9fad-eb8da44235dd',
    azerbaijaniForeignMinistry: '01754a62-f287-7610-8637-8237a04d7621',
    governmentOfIran: '01754a62-f288-70f5-a8bc-74a40551bc2f'
  },
  claims: {
    /** "Azerbaijani forces have captured ground within Karabakh." (Baku) */
    capturedGround: '01754a62-f292-77ca-a5cc-fea45ad00c08',
    /** "772 Armenian soldiers and 36 civilians have been killed …" (Yerevan) */
    armenianDeaths: '01754a62-f290-7793-ace0-aab3689c0916',
    /** "63 Azerbaijani civilians have been casualties of the fighting." (Baku) */
    azerbaijaniCivilianCasualties: '01754a62-f291-75f7-9f21-2bd806d98565'
  }
} as const

/** When the examples show the seed as loaded. */
export const SEEDED_AT = '2020-10-21T09:30:00.000Z'

/** The seeded article, as a claim embeds its source. */
export const SEEDED_ARTICLE = {
  id: SEEDED.source.mailOnline,
  title: 'Armenia calls on volunteers to fight on the Karabakh front line and vows there can be NO diplomatic solution to the crisis',
  url: null
}

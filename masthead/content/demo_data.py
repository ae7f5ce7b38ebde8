"""Original demo content for "The Meridian Courier", a fictional regional news site.

Everything here is invented: the city of Port Meridian, its state, its people, companies,
institutions and quotes. Pure data, no imports; loaded by the demo seeding code.
"""

from __future__ import annotations

PUBLICATION = {
    "name": "The Meridian Courier",
    "tagline": "Independent reporting from the Meridian Valley",
    "time_zone": "America/Chicago",
}

SECTIONS = [
    {
        "slug": "politics",
        "title": "Politics",
        "intro": "City hall, the statehouse in Larkspur and the campaigns that decide who runs them.",
    },
    {
        "slug": "defense",
        "title": "Defense",
        "intro": "Fort Aldous, the National Guard, the valley's military contractors and the people who serve.",
    },
    {
        "slug": "economy",
        "title": "Economy",
        "intro": "Jobs, prices, farms, the port and the businesses that keep the Meridian Valley working.",
    },
    {
        "slug": "climate",
        "title": "Climate",
        "intro": "The river, the weather and the land, and how the valley is adapting to a changing climate.",
    },
    {
        "slug": "culture",
        "title": "Culture",
        "intro": "Music, books, film, architecture and the places where Port Meridian gathers.",
    },
]

AUTHORS = [
    {
        "slug": "amara-okafor",
        "name": "Amara Okafor",
        "role": "Statehouse reporter",
        "short_bio": "Amara Okafor covers the Legislature, the governor and state agencies from the Capitol in Larkspur.",
        "bio": [
            "Amara Okafor is the Courier's statehouse reporter, covering the Legislature, the governor's office and state agencies from the Capitol in Larkspur. She follows the state budget, school funding and the bills that shape daily life in the Meridian Valley.",
            "Before joining the Courier, she spent five years covering county government and the courts for the Dunmore Ledger, a twice-weekly paper in the state's southern farm country. She grew up in Port Meridian's Eastbank neighborhood and studied journalism at Meridian Valley State University.",
        ],
        "portrait_color": "#3b5b7a",
    },
    {
        "slug": "marcus-tennyfield",
        "name": "Marcus Tennyfield",
        "role": "City hall reporter",
        "short_bio": "Marcus Tennyfield covers the mayor, the City Council and city services in Port Meridian.",
        "bio": [
            "Marcus Tennyfield covers Port Meridian city hall for the Courier, including the mayor's office, the City Council, the budget and the transit agency. He also keeps the Courier's running guide to local elections.",
            "He previously worked for seven years as a producer and reporter at Valley Public Radio, where he launched a weekly call-in show about neighborhood issues. He rides the No. 9 bus to work most days and is always interested in hearing from riders.",
        ],
        "portrait_color": "#5e5a7a",
    },
    {
        "slug": "elena-castell",
        "name": "Elena Castell",
        "role": "Defense and security correspondent",
        "short_bio": "Elena Castell reports on Fort Aldous, the National Guard, veterans and the valley's defense industry.",
        "bio": [
            "Elena Castell is the Courier's defense and security correspondent. She covers Fort Aldous, the state National Guard, veterans' services and the manufacturers and contractors that make defense one of the valley's largest industries.",
            "Before becoming a journalist, she served six years as a logistics officer in the Army Reserve. She later covered public safety for the Tri-County Sentinel and joined the Courier when the defense beat was created.",
            "She is based in the Courier's newsroom in Port Meridian and spends much of her time in Bellhaven and the townships around the post.",
        ],
        "portrait_color": "#5a6b4e",
    },
    {
        "slug": "priya-natarajan",
        "name": "Priya Natarajan",
        "role": "Economy reporter",
        "short_bio": "Priya Natarajan writes about jobs, agriculture, the Port of Meridian and the valley's businesses.",
        "bio": [
            "Priya Natarajan covers the regional economy for the Courier, from the Port of Meridian and the grain trade to small businesses, wages and housing costs. She is especially interested in how national trends land on individual households in the valley.",
            "She joined the Courier after six years as a market analyst for an agricultural lender in Larkspur, where she wrote a monthly outlook on crop prices and farm credit. She holds a master's degree in applied economics.",
        ],
        "portrait_color": "#7a5a3b",
    },
    {
        "slug": "samuel-brandt",
        "name": "Samuel Brandt",
        "role": "Climate and environment reporter",
        "short_bio": "Samuel Brandt covers the Meridian River, weather, conservation and the valley's response to climate change.",
        "bio": [
            "Samuel Brandt reports on climate and the environment for the Courier, covering the Meridian River, flooding, drought, extreme heat, conservation and the agencies that manage the valley's land and water.",
            "Before moving into journalism, he spent four years as a field technician for the Calder County Soil and Water Conservation District, measuring stream flow and helping farmers plan buffer strips. He still keeps a rain gauge on his back porch and reports its readings to a volunteer network.",
        ],
        "portrait_color": "#4e6f6a",
    },
    {
        "slug": "june-halvorsen",
        "name": "June Halvorsen",
        "role": "Arts and culture critic",
        "short_bio": "June Halvorsen writes about music, film, books, architecture and the people who make culture in the valley.",
        "bio": [
            "June Halvorsen is the Courier's arts and culture critic. She reviews concerts, films, exhibitions and books, and reports on the institutions, venues and artists that shape cultural life in Port Meridian.",
            "She came to the Courier from the Stillwater Review, a regional arts quarterly where she was managing editor for five years. Earlier, she worked as a film programmer for an independent cinema and still organizes a monthly silent-film night with live accompaniment.",
        ],
        "portrait_color": "#7a4e5e",
    },
    {
        "slug": "rosalind-kerrigan",
        "name": "Rosalind Kerrigan",
        "role": "Data editor",
        "short_bio": "Rosalind Kerrigan leads the Courier's data reporting, building the analyses, charts and public records projects behind our stories.",
        "bio": [
            "Rosalind Kerrigan is the Courier's data editor. She works with reporters across every section to analyze public records, conduct surveys and build the charts and databases that accompany the Courier's reporting.",
            "She spent eight years as a statistician with the state Department of Revenue before joining the Courier, and teaches an evening course on public records at Meridian Valley Community College.",
        ],
        "portrait_color": "#6b6b4e",
    },
]

ARTICLES = [
    {
        "slug": "council-passes-budget-night-bus-routes",
        "title": "Council passes $412 million budget after late fight over night bus routes",
        "dek": "A compromise reached after midnight restores two overnight routes on a one-year pilot while keeping the property tax rate flat for a third straight year.",
        "section": "politics",
        "authors": ["marcus-tennyfield"],
        "tags": ["budget", "city council", "transit"],
        "access": "metered",
        "hours_ago": 2,
        "image": {
            "title": "Council chamber after the vote",
            "caption": "Council members and residents linger in the chamber at Port Meridian City Hall shortly after the budget vote early Wednesday.",
            "credit": "Hollis Varga",
            "source_name": "Meridian Courier Photo Desk",
            "source_url": "https://example.org/photos/council-budget-vote",
            "palette": ["#1f3b57", "#c98b3a"],
        },
        "body": [
            {
                "type": "paragraph",
                "text": "The Port Meridian City Council approved a $412 million operating budget early Wednesday, ending a session that stretched past midnight after members clashed over whether to restore three late-night bus routes that were cut two years ago. The final vote was 7-2.",
            },
            {
                "type": "paragraph",
                "text": "The spending plan, which takes effect July 1, raises the city's general fund by 3.8 percent and adds 14 positions in the fire department. It keeps the property tax rate flat for a third straight year, a point Mayor Lorna Pryce's administration had insisted on since budget talks began in March.",
            },
            {
                "type": "paragraph",
                "text": "The late dispute centered on Routes 9, 14 and 22, which until two years ago carried riders between the Foundry Flats warehouses and the Eastbank neighborhoods after 11 at night. Transit officials estimated that reviving all three would cost about $2.3 million a year, largely in driver wages and overtime.",
            },
            {"type": "subheading", "text": "A compromise at 12:40 a.m."},
            {
                "type": "paragraph",
                "text": "Council member Rafael Ostrowski, who represents Eastbank, introduced an amendment to pay for the routes by trimming a planned expansion of the city's parking enforcement unit and drawing $600,000 from a reserve fund for vehicle replacement. He said roughly 1,100 workers on overnight shifts had no reliable way home since the cuts.",
            },
            {
                "type": "quote",
                "text": "People who clean our hospitals and load our trucks at two in the morning are not asking for a favor. They are asking for the same bus they had two years ago.",
                "attribution": "Rafael Ostrowski, Eastbank council member",
            },
            {
                "type": "paragraph",
                "text": "Opponents questioned whether the reserve draw could be sustained. Council member Greta Vinson, who chairs the finance committee, said the vehicle fund was already below the level recommended by the city's auditors, and warned that the routes would become a recurring cost propped up by a one-time source of money.",
            },
            {
                "type": "paragraph",
                "text": "The compromise that passed restores Routes 9 and 22 as a one-year pilot, with ridership reports due to the council every quarter. Route 14, which largely overlapped an existing daytime line, was left out. Vinson and council member Howard Lusk cast the two dissenting votes on the final budget.",
            },
            {
                "type": "paragraph",
                "text": "Elsewhere in the budget, the council set aside $5.1 million for street resurfacing, up from $3.4 million last year, and approved a 2.5 percent raise for most non-union city employees. The library system received an additional $380,000 to extend weekend hours at four branches.",
            },
            {
                "type": "paragraph",
                "text": "Transit director Colleen Marsh said the restored night buses could be running by the second week of August, once drivers bid on the new shifts. The agency plans to count boardings using the farebox data it already collects, and Marsh promised to post the first quarterly tally on the city's website before the council itself sees it.",
            },
        ],
    },
    {
        "slug": "kessler-reservoir-early-drawdown",
        "title": "River authority orders early drawdown of Kessler Reservoir ahead of a wet spring",
        "dek": "Releases from Kessler Dam will more than triple over the coming weeks as officials make room for heavy snowmelt from the upper valley.",
        "section": "climate",
        "authors": ["samuel-brandt"],
        "tags": ["flooding", "meridian river", "water"],
        "access": "free",
        "hours_ago": 5,
        "image": {
            "title": "Spillway at Kessler Dam",
            "caption": "Water pours through the spillway gates at Kessler Dam north of Port Meridian as releases begin to rise.",
            "credit": "Mei-Lin Strand",
            "source_name": "Meridian Courier Photo Desk",
            "source_url": "https://example.org/photos/kessler-dam-spillway",
            "palette": ["#2f5d6e", "#d9c7a1"],
        },
        "body": [
            {
                "type": "paragraph",
                "text": "The Meridian River Authority will begin lowering Kessler Reservoir by about four feet starting Monday, three weeks earlier than usual, after forecasters warned that heavy snowpack in the upper valley and a wet long-range outlook could push spring inflows well above average. It is the earliest the authority has started a spring drawdown in more than a decade.",
            },
            {
                "type": "paragraph",
                "text": "The drawdown is meant to give the reservoir room to absorb runoff before it reaches Port Meridian, where the river crested just 1.4 feet below the top of the downtown floodwall two years ago. Authority officials said residents downstream should expect the river to run noticeably higher and faster for several weeks.",
            },
            {
                "type": "paragraph",
                "text": "Releases from Kessler Dam will rise gradually from about 2,800 cubic feet per second to a peak near 9,500, according to the authority's operations plan. That is well within the channel's capacity through the city, but enough to close the boat ramps at Old Wharf Landing and Cottonwood Park until at least mid-April.",
            },
            {
                "type": "quote",
                "text": "We would much rather move that water now, on our schedule, than have the weather decide for us in May.",
                "attribution": "Harlan Setterquist, chief of operations, Meridian River Authority",
            },
            {
                "type": "paragraph",
                "text": "Harlan Setterquist, the authority's chief of operations, said snow surveys taken last week showed the upper watershed holding roughly 138 percent of its median water content for early March. Soil in much of the valley is also still saturated from autumn rains, meaning less of the melt will soak into the ground.",
            },
            {"type": "subheading", "text": "What it means for farms and boaters"},
            {
                "type": "paragraph",
                "text": "The early release carries trade-offs. Irrigators who draw from the reservoir worry that if spring turns dry after all, the lake could start summer short of water. Setterquist said the authority would halt the drawdown and begin refilling if inflows fell below projections, noting that the reservoir has refilled from similar levels in six of the past eight years.",
            },
            {
                "type": "paragraph",
                "text": 'Wendell Trask, who grows soybeans and seed corn on about 900 acres below the dam, said most farmers he had spoken with accepted the decision. "Nobody out here wants a repeat of two springs ago," he said, referring to flooding that left river-bottom fields underwater for most of May. "But we\'ll be checking those lake levels every morning."',
            },
            {
                "type": "paragraph",
                "text": "The city's emergency management office said it had no plans to close floodgates or deploy temporary barriers, but it will station crews at the Tannery Row pump station during the highest releases. Residents can track river levels at the authority's three downtown gauges, which update every 15 minutes.",
            },
            {
                "type": "paragraph",
                "text": "Anglers were already adjusting on Friday. At the Cottonwood Park ramp, a hand-lettered sign taped to the bait shop door told customers that the walleye would have to wait until April and recommended the calmer water of Heron Slough in the meantime.",
            },
        ],
    },
    {
        "slug": "fort-aldous-drone-corridor-hearing",
        "title": "Residents press Army on noise as Fort Aldous seeks a drone testing corridor",
        "dek": "About 140 people packed a grange hall in Bellhaven to question a plan that would send unmanned aircraft over farms north of Port Meridian.",
        "section": "defense",
        "authors": ["elena-castell"],
        "tags": ["fort aldous", "drones", "public hearing"],
        "access": "metered",
        "hours_ago": 9,
        "image": {
            "title": "Hearing at the Bellhaven Grange",
            "caption": "Residents fill folding chairs at the Bellhaven Grange hall during a public hearing on the proposed drone corridor.",
            "credit": "Tobias Okoro",
            "source_name": "Valley Wire Images",
            "source_url": "https://example.org/photos/bellhaven-grange-hearing",
            "palette": ["#4a5436", "#e0d2b4"],
        },
        "body": [
            {
                "type": "paragraph",
                "text": "Dozens of residents from the rural townships north of Port Meridian told Army officials Tuesday night that a proposed corridor for testing unmanned aircraft over Fort Aldous would bring constant noise to farms and homes that have lived quietly beside the post for decades. Army officials said they would consider changes to the route and flight hours before making a final decision.",
            },
            {
                "type": "paragraph",
                "text": "The Army wants to designate a 22-mile strip of restricted airspace connecting the post's main range with a smaller training area near the town of Bellhaven, allowing drones to fly between the two at altitudes as low as 500 feet. An environmental assessment released in January concluded the corridor would have no significant impact, a finding several speakers disputed.",
            },
            {
                "type": "paragraph",
                "text": "About 140 people filled the Bellhaven Grange hall for the hearing, the only public session scheduled before the comment period closes on April 18. Officials from the post and from the Army's regional aviation office took questions for nearly three hours, and a stenographer recorded every comment for the official record.",
            },
            {"type": "subheading", "text": "Noise, livestock and property values"},
            {
                "type": "paragraph",
                "text": "Several speakers raised concerns about livestock. Marjorie Feld, who runs a cow-calf operation of about 300 head along the proposed route, said her cattle still startled at the memory of helicopter training flights years ago, and asked whether anyone had studied how animals respond to repeated low passes by smaller aircraft.",
            },
            {
                "type": "paragraph",
                "text": "Lt. Col. Andrea Pascoe, the garrison's deputy commander, said the drones expected to use the corridor are mostly small and mid-sized reconnaissance models, and that the assessment modeled their noise at an average of 52 decibels on the ground, roughly the level of a quiet conversation. Flights would be limited to weekday daylight hours except during scheduled exercises.",
            },
            {
                "type": "quote",
                "text": "We hear you on the hours and on the livestock. Those are the kinds of comments that actually change a final decision.",
                "attribution": "Lt. Col. Andrea Pascoe, deputy garrison commander, Fort Aldous",
            },
            {
                "type": "paragraph",
                "text": "Residents were skeptical of the averages. Tom Abernathy, a retired civil engineer who lives a mile outside Bellhaven, said the assessment measured noise at only four locations, none of them on the eastern half of the route, and urged the Army to install permanent monitors before any flights begin.",
            },
            {
                "type": "paragraph",
                "text": "Fort Aldous employs about 6,400 soldiers and civilians and is the largest employer in Calder County. Local economic development officials have backed the corridor, arguing it could help the post attract an unmanned systems training school that the Army is expected to place somewhere in the region within the next two years.",
            },
            {
                "type": "paragraph",
                "text": "The Army will publish a response to public comments alongside its final decision, likely this summer. Pascoe said the post would also weigh a request from the Bellhaven township board to bend the corridor's northern leg around the Feld and Sorensen ranches, even though the detour would add about three miles to every flight.",
            },
        ],
    },
    {
        "slug": "port-of-meridian-record-quarter",
        "title": "Port of Meridian posts its busiest quarter ever as grain shipments rebound",
        "dek": "Freight volumes rose 17 percent in the first three months of the year, helped by a second ship loader and a new weekly barge tow to the Gulf.",
        "section": "economy",
        "authors": ["priya-natarajan"],
        "tags": ["port", "agriculture", "jobs", "meridian river"],
        "access": "metered",
        "hours_ago": 16,
        "image": {
            "title": "Barges at Keel Point",
            "caption": "Loaded grain barges wait at the Keel Point terminal as a tow is assembled for the trip downriver.",
            "credit": "Renata Gilchrist",
            "source_name": "Meridian Courier Photo Desk",
            "source_url": "https://example.org/photos/keel-point-barges",
            "palette": ["#27445c", "#b8873f"],
        },
        "body": [
            {
                "type": "paragraph",
                "text": "The Port of Meridian handled more cargo in the first three months of the year than in any quarter in its 61-year history, driven by a rebound in grain shipments and a new weekly barge service to the Gulf Coast, port officials said Thursday. They said the surge had already added dozens of jobs at the port's terminals.",
            },
            {
                "type": "paragraph",
                "text": "The port moved 1.86 million tons of freight between January and March, up 17 percent from the same period last year and about 4 percent above the previous record, set six years ago. Grain and oilseeds accounted for nearly two-thirds of the total, reversing two years in which weak prices kept many farmers storing crops rather than selling them.",
            },
            {
                "type": "paragraph",
                "text": "Executive director Simone Achterberg said the numbers reflected both firmer crop prices and investments the port made at its Keel Point terminal, where a second ship loader installed last fall roughly doubled the rate at which barges can be filled. The loader cost $7.5 million, about half of it covered by a state freight grant.",
            },
            {
                "type": "quote",
                "text": "For a long time people thought of this as a port that mostly waited for the river to rise. We wanted to show it can compete on speed.",
                "attribution": "Simone Achterberg, executive director, Port of Meridian",
            },
            {
                "type": "paragraph",
                "text": "The new service, operated by Tessaly River Logistics, began in February and sends a 15-barge tow south every Tuesday. Shippers previously waited for tows to be assembled on an irregular schedule, sometimes holding loaded barges at the terminal for as long as ten days.",
            },
            {"type": "subheading", "text": "Jobs follow the tonnage"},
            {
                "type": "paragraph",
                "text": "The port and its tenants added about 90 jobs over the past year, according to the port authority, bringing direct employment at the terminals to roughly 1,240. Most of the new positions are for equipment operators and mechanics, which pay between $24 and $34 an hour.",
            },
            {
                "type": "paragraph",
                "text": "Ray Castellanos, a crane operator who has worked at Keel Point for 19 years and serves as a steward for the terminal workers' union, said overtime had been plentiful since January. He said the union would press for more permanent hires, rather than temporary crews, in contract talks scheduled to begin in June.",
            },
            {
                "type": "paragraph",
                "text": "Not every category grew. Steel coil imports, which feed two fabricating plants in the Foundry Flats district, fell 12 percent from a year earlier, and fertilizer shipments were flat. Achterberg said port staff expected the second quarter to be slower as spring planting draws farm trucks away from the river.",
            },
            {
                "type": "paragraph",
                "text": "The port's board will consider a $14 million plan next month to pave and light an additional 11 acres at Keel Point for container storage. If approved, construction would start in September, and Achterberg said she hoped to see the first containers stacked on the new yard before the soybean harvest reaches the riverbank in October.",
            },
        ],
    },
    {
        "slug": "valley-symphony-names-ines-valcourt",
        "title": "Valley Symphony names Ines Valcourt its first new music director in 19 years",
        "dek": "The 41-year-old conductor, chosen after a two-year search, wants to take chamber music into neighborhoods and commission a new work every season.",
        "section": "culture",
        "authors": ["june-halvorsen"],
        "tags": ["music", "arts funding"],
        "access": "metered",
        "hours_ago": 27,
        "image": {
            "title": "Ines Valcourt at Halloran Hall",
            "caption": "Ines Valcourt rehearses with the Meridian Valley Symphony on the stage of Halloran Hall during her trial week last fall.",
            "credit": "Caleb Northrup",
            "source_name": "Prairie Lens Collective",
            "source_url": "https://example.com/photos/valcourt-halloran-hall",
            "palette": ["#5a2e3a", "#d8b26e"],
        },
        "body": [
            {
                "type": "paragraph",
                "text": "The Meridian Valley Symphony has named Ines Valcourt, a 41-year-old conductor who has spent the past six years as principal conductor of the Saltmarsh Lyric Opera, as its next music director, ending a two-year search to replace the orchestra's longtime leader. She will be the first woman to hold the post.",
            },
            {
                "type": "paragraph",
                "text": "Valcourt will begin a five-year contract in September, becoming only the third music director in the orchestra's 58-year history. She succeeds Gerhard Lindahl, who stepped down two seasons ago after 19 years on the podium and now holds the title of conductor laureate.",
            },
            {
                "type": "paragraph",
                "text": "The announcement followed a season in which seven finalists each led a subscription concert at Halloran Hall. Board chair Patricia Oyelaran said musicians and audience members filled out more than 2,300 survey cards during the search, and that Valcourt finished first among both groups.",
            },
            {
                "type": "paragraph",
                "text": "In an interview after the announcement, Valcourt said she hoped to expand the orchestra's chamber series and bring small ensembles into neighborhood venues, including churches, schools and the converted warehouse halls of Tannery Row. She also plans to commission at least one new work each season from a composer with ties to the region.",
            },
            {
                "type": "quote",
                "text": "An orchestra this size can be nimble in ways the big ones cannot. I want us to take advantage of that.",
                "attribution": "Ines Valcourt, incoming music director",
            },
            {"type": "subheading", "text": "A balanced budget, and a challenge"},
            {
                "type": "paragraph",
                "text": "Valcourt arrives as the symphony is on steadier financial footing than it has been in a decade. The orchestra ended last season with a small surplus on a budget of $6.8 million, helped by a bequest from a longtime subscriber, and its endowment stands at about $21 million.",
            },
            {
                "type": "paragraph",
                "text": "Subscription sales, though, remain about 18 percent below where they stood a decade ago, a pattern common among orchestras of its size. Executive director Calvin Mora said single-ticket buyers now make up nearly half the audience, and that the organization would lean on Valcourt to help turn them into regular concertgoers.",
            },
            {
                "type": "paragraph",
                "text": "Several musicians said they were drawn to Valcourt's rehearsal style during her trial week, which principal cellist Hana Szabo described as demanding but unusually efficient. The musicians' contract limits rehearsals to 10 hours per concert week, and Szabo said Valcourt wrapped up her final run-through of a Brahms symphony with nearly 40 minutes to spare.",
            },
            {
                "type": "paragraph",
                "text": "Valcourt will conduct one concert this spring as music director designate, a free outdoor program at Cottonwood Park on June 7. She said she had already picked the opening piece but would reveal it only to the musicians, joking that a conductor new to town ought to keep at least one secret until the first downbeat.",
            },
        ],
    },
    {
        "slug": "senate-advances-school-funding-overhaul",
        "title": "State Senate advances school funding overhaul on a 21-17 vote",
        "dek": "The rewrite would steer more money to districts with low-income students and English learners while promising no district gets less than it does now.",
        "section": "politics",
        "authors": ["amara-okafor"],
        "tags": ["legislature", "education", "budget"],
        "access": "subscribers",
        "hours_ago": 40,
        "image": {
            "title": "Senate chamber in Larkspur",
            "caption": "Senators confer on the floor of the state Senate chamber in Larkspur before Monday's vote on the school funding bill.",
            "credit": "Hollis Varga",
            "source_name": "Meridian Courier Photo Desk",
            "source_url": "https://example.org/photos/senate-school-funding-vote",
            "palette": ["#3d3b5c", "#c4a46a"],
        },
        "body": [
            {
                "type": "paragraph",
                "text": "The state Senate voted 21-17 on Monday to overhaul the formula that distributes about $4.2 billion a year to public schools, a change that would send more money to districts with large numbers of low-income students and English learners while guaranteeing that no district receives less than it does now. The measure passed after nearly six hours of debate.",
            },
            {
                "type": "paragraph",
                "text": "The bill, which now goes to the House, is the most significant rewrite of the state's school funding system in nearly three decades. Its sponsor, Sen. Nora Beckwith of Larkspur, who chairs the Senate Education Committee, said the current formula relies on enrollment counts and property values that no longer reflect where the state's neediest students live.",
            },
            {
                "type": "paragraph",
                "text": "Under the proposal, each district would receive a base amount of $7,950 per student, up from $7,410, with additional weights of 30 percent for students from low-income families and 25 percent for English learners. Rural districts with fewer than 500 students would receive a separate sparsity supplement to cover the higher cost of running small schools.",
            },
            {"type": "subheading", "text": "Winners, and a hold-harmless promise"},
            {
                "type": "paragraph",
                "text": "An analysis by the Legislature's nonpartisan fiscal office found that 214 of the state's 298 districts would receive more money in the first year. Port Meridian Public Schools would gain about $11.6 million, or roughly 6 percent, while several suburban districts around Larkspur would see little or no increase.",
            },
            {
                "type": "paragraph",
                "text": "To win votes from senators representing those districts, Beckwith agreed to a hold-harmless provision that freezes funding for any district that would otherwise lose money, for at least five years. The fiscal office estimates the provision will cost about $48 million in the first year, shrinking over time as enrollment and inflation adjust.",
            },
            {
                "type": "quote",
                "text": "We can argue about the weights for another ten years, or we can admit that the formula we have was written for a state that does not exist anymore.",
                "attribution": "Sen. Nora Beckwith, chair, Senate Education Committee",
            },
            {
                "type": "paragraph",
                "text": "Opponents argued the bill commits the state to rising costs without identifying how to pay for them. Sen. Curtis Vandermeer of Ashby County said the overhaul would add roughly $310 million a year to state spending once fully phased in, and that lawmakers were betting on revenue growth that might vanish in a downturn.",
            },
            {
                "type": "paragraph",
                "text": "Superintendents from several districts testified in favor of the changes, including Port Meridian superintendent Alicia Thornbury. She told the committee in February that her district spends about $9 million a year from its general budget on English learner programs that the state currently funds at a fraction of their cost.",
            },
            {
                "type": "paragraph",
                "text": "The House Education Committee has scheduled its first hearing on the bill for next Thursday. Its chair, Rep. Owen Gallardo, said he supported the goals of the overhaul but expected changes to the phase-in schedule, while a spokesman for Gov. Ruth Ellingsen said only that she would study whatever version reaches her desk before the session adjourns on May 15.",
            },
        ],
    },
    {
        "slug": "heat-plan-libraries-cooling-centers",
        "title": "City's first heat plan would keep libraries open late as cooling centers",
        "dek": "After three heat-related deaths last July, Port Meridian is proposing a single trigger for emergency measures, free bus rides and door-to-door checks.",
        "section": "climate",
        "authors": ["samuel-brandt", "marcus-tennyfield"],
        "tags": ["heat", "public health", "city council", "transit"],
        "access": "metered",
        "hours_ago": 58,
        "image": {
            "title": "Eastbank branch library in summer",
            "caption": "Afternoon sun falls across the entrance of the Eastbank branch library, one of five branches that would serve as cooling centers.",
            "credit": "Mei-Lin Strand",
            "source_name": "Meridian Courier Photo Desk",
            "source_url": "https://example.org/photos/eastbank-library-heat",
            "palette": ["#b5562f", "#f0d9a8"],
        },
        "body": [
            {
                "type": "paragraph",
                "text": "Port Meridian would keep five public libraries open until 10 p.m. on the hottest days of summer and send outreach teams to check on older residents living alone, under the city's first formal heat response plan, which the City Council reviewed Monday. A vote is expected next month.",
            },
            {
                "type": "paragraph",
                "text": "The plan sets a single trigger for emergency measures: any day when forecasters expect the heat index to reach 105 degrees or higher. The city recorded 23 such days last summer, up from an average of about nine a year three decades ago, according to figures compiled by the city's sustainability office.",
            },
            {
                "type": "paragraph",
                "text": "Until now, the city's response to extreme heat has been handled informally, with individual departments deciding on their own whether to extend hours or open buildings. Public health director Vivian Castillo-Ng said the lack of a coordinated plan became clear last July, when three residents died of heat-related causes during a six-day stretch of temperatures above 100 degrees.",
            },
            {"type": "subheading", "text": "Libraries as cooling centers"},
            {
                "type": "paragraph",
                "text": "Under the proposal, the Central Library and the branches in Eastbank, Foundry Flats, Sycamore Heights and Riverside would stay open four hours later than usual on heat emergency days. The city would pay for additional staff and security at an estimated $3,200 per branch per day, or about $370,000 in a summer like the last one.",
            },
            {
                "type": "paragraph",
                "text": "The plan also calls for free bus rides to any cooling center on heat emergency days and for a text alert system residents can join by sending a single keyword. Castillo-Ng said about 4,000 residents already receive city text alerts for snow emergencies and boil-water notices.",
            },
            {
                "type": "quote",
                "text": "Heat does not knock down buildings, so it is easy to underestimate. But it is the weather event most likely to kill someone in this city in any given year.",
                "attribution": "Vivian Castillo-Ng, public health director, City of Port Meridian",
            },
            {
                "type": "paragraph",
                "text": "Council members broadly supported the plan but raised questions about outreach. Council member Rafael Ostrowski asked how the city would find residents who are isolated and on no mailing list, and Castillo-Ng said the health department would work with utility assistance programs and home-delivered meal services to identify people at risk.",
            },
            {
                "type": "paragraph",
                "text": "The plan does not address longer-term measures such as tree planting or cooler pavement, which the sustainability office says it will cover in a separate report this fall. Sycamore Heights and Foundry Flats have the city's thinnest tree canopy, at 9 and 12 percent respectively, compared with 31 percent in the neighborhoods around Cottonwood Park.",
            },
            {
                "type": "paragraph",
                "text": "The council is expected to vote on the plan May 20, leaving about six weeks to hire temporary staff before the first heat emergency would likely be declared. Library director Anand Priestley said branches had already begun stocking folding cots, refillable water stations and jigsaw puzzles, the item he said regulars asked for most during last summer's long afternoons.",
            },
        ],
    },
    {
        "slug": "guard-engineers-return-home",
        "title": "Guard engineers return home after nine months building airfields overseas",
        "dek": "About 180 soldiers of the Meridian Engineer Battalion were greeted by families at the Calder County Armory after the unit's largest deployment in 14 years.",
        "section": "defense",
        "authors": ["elena-castell", "amara-okafor"],
        "tags": ["national guard", "veterans", "fort aldous"],
        "access": "free",
        "hours_ago": 79,
        "image": {
            "title": "Homecoming at the armory",
            "caption": "Families wave handmade signs on the drill floor of the Calder County Armory as the Meridian Engineer Battalion files in on Saturday.",
            "credit": "Tobias Okoro",
            "source_name": "Valley Wire Images",
            "source_url": "https://example.org/photos/armory-homecoming",
            "palette": ["#55603f", "#e3c16f"],
        },
        "body": [
            {
                "type": "paragraph",
                "text": "About 180 soldiers from the state National Guard's Meridian Engineer Battalion returned to Port Meridian on Saturday after a nine-month overseas deployment in which they built and repaired runways, roads and drainage systems at four military airfields. It was the battalion's first overseas mission in six years.",
            },
            {
                "type": "paragraph",
                "text": "Families packed the drill floor of the Calder County Armory for a short welcome ceremony that ran well behind schedule after the soldiers' buses were delayed leaving Fort Aldous, where the unit spent five days completing demobilization paperwork and medical screenings. None of the battalion's members were seriously injured during the deployment, commanders said.",
            },
            {
                "type": "paragraph",
                "text": "The deployment was the unit's largest since it was reorganized 14 years ago. Battalion commander Lt. Col. Denise Harrow said the soldiers laid or resurfaced more than 40 miles of road and poured enough concrete to cover about 30 football fields, working in temperatures that ranged from well below freezing to above 110 degrees.",
            },
            {
                "type": "quote",
                "text": "Most of these soldiers have civilian jobs running graders and pouring foundations right here in the valley. We just took those skills somewhere they were needed for a while.",
                "attribution": "Lt. Col. Denise Harrow, commander, Meridian Engineer Battalion",
            },
            {"type": "subheading", "text": "Back to work, and to school"},
            {
                "type": "paragraph",
                "text": "For many of the returning soldiers, the next step is resuming civilian careers. Federal law requires employers to rehire Guard members returning from active duty in the same or a comparable position, and the battalion's family readiness office said about 35 soldiers had asked for help contacting employers or sorting out questions about seniority and benefits.",
            },
            {
                "type": "paragraph",
                "text": "Sgt. Teresa Kowal, a heavy-equipment operator who works for a road construction company in Ashby County in civilian life, said her employer had kept her pickup parked in the yard with her name still stenciled on the door. Her first shift back is scheduled for the Monday after next, and she said she planned to spend the time in between fishing with her two sons.",
            },
            {
                "type": "paragraph",
                "text": "At least 20 soldiers plan to enroll at Meridian Valley Community College this fall using the state's tuition benefit for Guard members, which covers full tuition at public colleges for soldiers in good standing. The college's veterans services office will hold an enrollment session at the armory later this month.",
            },
            {
                "type": "paragraph",
                "text": "State officials said the battalion's return also restores the Guard's capacity to respond to emergencies at home. During the deployment, the state relied on engineer units from neighboring states under a mutual aid agreement, and Gov. Ruth Ellingsen said in a statement that the battalion's bulldozers and bridging equipment would be back in service at the armory within a month.",
            },
            {
                "type": "paragraph",
                "text": "Spc. Jordan Whitlock, 23, was among the last soldiers through the doors on Saturday. His grandmother, who had made the trip from Bellhaven with a cooler of homemade tamales and a bedsheet banner reading WELCOME HOME JORDAN, said she had crossed off 271 days on the calendar in her kitchen and intended to frame the final page.",
            },
        ],
    },
    {
        "slug": "downtown-storefront-vacancies-analysis",
        "title": "Downtown storefront vacancies fall to 11 percent, but the gains are uneven",
        "dek": "A Courier survey of 412 ground-floor spaces finds a crowded riverfront and a still-empty Commerce Street, with rents nearly twice as high near the water.",
        "section": "economy",
        "authors": ["rosalind-kerrigan", "priya-natarajan"],
        "tags": ["downtown", "small business", "data", "city council"],
        "access": "subscribers",
        "hours_ago": 104,
        "image": {
            "title": "Storefronts on Commerce Street",
            "caption": "A row of storefronts on Commerce Street, where more than a third of ground-floor spaces on two blocks remain empty.",
            "credit": "Renata Gilchrist",
            "source_name": "Meridian Courier Photo Desk",
            "source_url": "https://example.org/photos/commerce-street-storefronts",
            "palette": ["#4b4f58", "#d39b5a"],
        },
        "body": [
            {
                "type": "paragraph",
                "text": "The share of empty ground-floor storefronts in downtown Port Meridian has fallen to 11 percent, the lowest level in seven years, according to a Courier analysis of city business license records and a block-by-block survey conducted by reporters in March. That is down from 19 percent three years ago.",
            },
            {
                "type": "paragraph",
                "text": "But the recovery has been concentrated on a handful of blocks near the riverfront and the Tannery Row entertainment district, while stretches of Commerce Street and lower Fourth Avenue remain nearly as empty as they were at the low point three years ago. On two blocks of Commerce, more than a third of storefronts are vacant.",
            },
            {
                "type": "paragraph",
                "text": "The Courier counted 412 ground-floor commercial spaces within the downtown business improvement district and found 45 unoccupied, compared with 78 in a similar count the downtown association conducted three years ago. Spaces undergoing active renovation with a signed tenant were counted as occupied.",
            },
            {"type": "subheading", "text": "Food and drink lead the way"},
            {
                "type": "paragraph",
                "text": "Restaurants, bars and coffee shops account for more than half of the 33 net new tenants, according to the analysis. Personal services such as barbers, nail salons and fitness studios made up most of the rest, while traditional retail, including clothing and gift shops, declined slightly over the same period.",
            },
            {
                "type": "paragraph",
                "text": "Property owners and brokers pointed to the opening of the Old Wharf apartments, which brought about 600 residents to the area over the past two years, as a major factor. Broker Felicity Amundsen, who represents several buildings on Front Street, said prospective tenants now ask about evening foot traffic before they ask about rent.",
            },
            {
                "type": "quote",
                "text": "Three years ago I was begging people to look at a space. Now I have a waiting list for anything within two blocks of the river, and almost nothing for the blocks up the hill.",
                "attribution": "Felicity Amundsen, commercial real estate broker",
            },
            {
                "type": "paragraph",
                "text": "Rents reflect the split. Asking rents for ground-floor space on Front Street average about $24 per square foot a year, according to listings reviewed by the Courier, compared with roughly $13 on Commerce Street. Several Commerce Street buildings are owned by out-of-town investors who have kept spaces empty rather than lower rents, brokers said.",
            },
            {
                "type": "paragraph",
                "text": "The City Council is weighing a proposal from council member Greta Vinson to charge an annual registration fee on storefronts left vacant for more than a year, with the money going to facade improvement grants. Property owners have opposed the idea, arguing that many vacancies stem from costly building code upgrades rather than any unwillingness to lease.",
            },
            {
                "type": "paragraph",
                "text": "Ahmed Qureshi, who opened a shoe repair shop on Commerce Street last fall, said the quiet block had its advantages, including a landlord who agreed to a year of reduced rent. He keeps a tally of passersby on a clipboard beside the register, and his best day so far, a rainy Saturday in February, brought 212 people past the window and 31 through the door.",
            },
        ],
    },
    {
        "slug": "central-library-reopens-after-renovation",
        "title": "Central Library reopens with a restored reading room and a shelf of tools",
        "dek": "A two-year, $38 million renovation uncovered a long-hidden ceiling and windows, and added a lending collection where the first request was a cordless drill.",
        "section": "culture",
        "authors": ["june-halvorsen"],
        "tags": ["libraries", "architecture"],
        "access": "metered",
        "hours_ago": 131,
        "image": {
            "title": "The restored reading room",
            "caption": "Light from reopened clerestory windows falls across the long tables of the Central Library's second-floor reading room.",
            "credit": "Caleb Northrup",
            "source_name": "Prairie Lens Collective",
            "source_url": "https://example.com/photos/central-library-reading-room",
            "palette": ["#6b4a2f", "#e8dcc0"],
        },
        "body": [
            {
                "type": "paragraph",
                "text": "Port Meridian's Central Library reopened to the public Saturday after a two-year, $38 million renovation that restored the building's original reading room, replaced its aging heating and cooling systems and added space for a growing collection of items that have nothing to do with books. The building had been closed since the spring before last.",
            },
            {
                "type": "paragraph",
                "text": "Several hundred people lined up along Library Square before the doors opened at 10 a.m., and staff counted more than 4,100 visitors by closing time. Library director Anand Priestley said the first item checked out was a children's picture book about a lighthouse keeper, and the second was a cordless drill.",
            },
            {
                "type": "paragraph",
                "text": "The drill came from the library's new lending shelf, which offers about 350 tools, kitchen appliances, musical instruments and pieces of camping gear that cardholders can borrow for up to two weeks. The collection began as a small pilot at the Eastbank branch four years ago and proved so popular that the waiting list for its single pressure washer reached 60 names.",
            },
            {"type": "subheading", "text": "A ceiling, uncovered"},
            {
                "type": "paragraph",
                "text": "The most dramatic change is in the second-floor reading room, where workers removed a dropped acoustic ceiling installed during a 1960s remodel to reveal the original coffered plaster ceiling and a row of clerestory windows that had been covered for more than half a century. Conservators spent eight months repairing and repainting the plaster.",
            },
            {
                "type": "paragraph",
                "text": "Architect Delphine Moreau-Acosta, whose Larkspur firm led the design, said the team relied on the original 1927 drawings, kept in the library's own archive, to reconstruct details such as the bronze light fixtures. Those were recast from a single surviving example that turned up in a basement storage room.",
            },
            {
                "type": "quote",
                "text": "We kept finding things the building had been trying to tell us for decades. The windows were the loudest.",
                "attribution": "Delphine Moreau-Acosta, architect",
            },
            {
                "type": "paragraph",
                "text": "The project was paid for through a bond measure approved by voters four years ago, supplemented by about $6 million in private donations. It came in roughly 4 percent over its original budget, which city officials attributed largely to asbestos removal and a rise in the price of copper wiring during construction.",
            },
            {
                "type": "paragraph",
                "text": "Other changes are less visible. The library now has a ground-floor teen room with recording equipment, a larger local history center and 22 study rooms that can be reserved online. Accessibility improvements include a new elevator and a ramped entrance on Fourth Avenue that replaces a steep flight of granite stairs.",
            },
            {
                "type": "paragraph",
                "text": "Not every regular was won over. Eleanor Whitcombe, 84, who said she has visited the reading room nearly every weekday since 1971, praised the ceiling but found the new chairs far too soft, and she had already dropped a suggestion card in the box asking the library to bring back at least one of the old oak ones.",
            },
        ],
    },
    {
        "slug": "mayoral-forum-housing-police-staffing",
        "title": "Mayor and challengers spar over housing and police staffing in first forum",
        "dek": "Mayor Lorna Pryce defended her record on apartment construction as two rivals argued that new units remain out of reach for working families.",
        "section": "politics",
        "authors": ["marcus-tennyfield"],
        "tags": ["election", "housing", "public safety", "city council"],
        "access": "metered",
        "hours_ago": 166,
        "image": {
            "title": "Candidates on stage",
            "caption": "The three mayoral candidates take questions from a moderator at Meridian Valley Community College on Thursday evening.",
            "credit": "Hollis Varga",
            "source_name": "Meridian Courier Photo Desk",
            "source_url": "https://example.org/photos/mayoral-forum-college",
            "palette": ["#2c3e50", "#b14a3b"],
        },
        "body": [
            {
                "type": "paragraph",
                "text": "Mayor Lorna Pryce and the two candidates challenging her in the August primary clashed over housing costs and police staffing Thursday in the first public forum of the campaign, a 90-minute session at Meridian Valley Community College that drew about 300 people. The exchanges were pointed but rarely personal.",
            },
            {
                "type": "paragraph",
                "text": "Pryce, who is seeking a second four-year term, defended her administration's record on housing construction, pointing to roughly 2,700 new apartments permitted since she took office. Her challengers, former school board president Tobias Renquist and bakery owner Marisol Ferreira, argued that most of those units were priced beyond the reach of the city's working families.",
            },
            {
                "type": "paragraph",
                "text": "The city's median rent for a two-bedroom apartment has risen to about $1,380 a month, up 31 percent over the past five years, according to figures cited by all three candidates. Median household income grew about 14 percent over the same period, according to the city's planning department.",
            },
            {"type": "subheading", "text": "Housing"},
            {
                "type": "paragraph",
                "text": "Renquist called for requiring developers who receive city tax breaks to set aside 15 percent of new units for households earning less than 60 percent of the area's median income. Pryce said similar mandates elsewhere had slowed construction, and argued that the better approach was faster permitting and allowing more duplexes and small apartment buildings in single-family neighborhoods.",
            },
            {
                "type": "paragraph",
                "text": "Ferreira, whose bakery is in Sycamore Heights, said both approaches overlooked residents facing eviction right now. She proposed expanding the city's emergency rental assistance fund, which received $1.2 million this year, and guaranteeing tenants a lawyer in eviction cases, a program she estimated would cost about $900,000 a year.",
            },
            {
                "type": "quote",
                "text": "Every one of these plans takes three years to build something. The family getting an eviction notice this week has about ten days.",
                "attribution": "Marisol Ferreira, mayoral candidate",
            },
            {"type": "subheading", "text": "Police staffing"},
            {
                "type": "paragraph",
                "text": "On public safety, the candidates agreed that the police department's staffing shortage was a problem but differed on how to address it. The department has 318 sworn officers, below its authorized strength of 355, and Pryce touted a hiring bonus program that she said had helped bring in 27 recruits last year.",
            },
            {
                "type": "paragraph",
                "text": "Renquist said the bonus had mostly lured experienced officers from neighboring departments rather than new recruits, and proposed shifting some mental health calls to a civilian crisis team. Pryce noted that the city launched a pilot crisis team in Eastbank last fall and said she would expand it if early results held up.",
            },
            {
                "type": "paragraph",
                "text": "The candidates will meet again May 28 at a forum hosted by the Foundry Flats Neighborhood Association, which has asked each of them to submit a written plan for the long-vacant Meridian Ironworks site. If no candidate wins a majority in the August primary, the top two finishers will face each other in November.",
            },
        ],
    },
    {
        "slug": "halvern-aerostructures-wing-panel-contract",
        "title": "Halvern Aerostructures lands $86 million contract for cargo plane wing panels",
        "dek": "The largest deal in the Port Meridian manufacturer's 47-year history is expected to add about 120 jobs and ripple out to some 30 local suppliers.",
        "section": "defense",
        "authors": ["elena-castell", "priya-natarajan"],
        "tags": ["defense contracts", "jobs", "manufacturing"],
        "access": "metered",
        "hours_ago": 205,
        "image": {
            "title": "Assembly floor at Halvern",
            "caption": "Technicians inspect an aircraft panel on the assembly floor of Halvern Aerostructures' plant on Industrial Parkway.",
            "credit": "Tobias Okoro",
            "source_name": "Valley Wire Images",
            "source_url": "https://example.org/photos/halvern-assembly-floor",
            "palette": ["#394a59", "#9fb3c2"],
        },
        "body": [
            {
                "type": "paragraph",
                "text": "Halvern Aerostructures, the Port Meridian manufacturer that builds structural components for military and commercial aircraft, has won an $86 million contract to produce wing panels for a military cargo plane, the company announced Tuesday. Company officials called it a turning point for the family-owned business.",
            },
            {
                "type": "paragraph",
                "text": "The five-year contract is the largest in the company's 47-year history and is expected to add about 120 jobs at its plant on Industrial Parkway, which already employs roughly 850 people. Production is scheduled to begin early next year after the company installs a new automated drilling system.",
            },
            {
                "type": "paragraph",
                "text": "Chief executive Gwen Halvern-Sato, the granddaughter of the company's founder, said the win followed three years of work to earn the quality certifications required for primary structural parts, which carry an airplane's flight loads. Until now, Halvern had mainly built secondary components such as access panels and fairings.",
            },
            {
                "type": "quote",
                "text": "Wing panels are a different league. The tolerances are tighter, the paperwork is heavier, and the customer is watching every step.",
                "attribution": "Gwen Halvern-Sato, chief executive, Halvern Aerostructures",
            },
            {
                "type": "paragraph",
                "text": "The new positions include machinists, composite technicians and quality inspectors, with starting wages between $23 and $31 an hour, according to the company. Halvern plans to fill about half of them through an apprenticeship program it runs with Meridian Valley Community College, which currently enrolls 42 students.",
            },
            {"type": "subheading", "text": "A supply chain closer to home"},
            {
                "type": "paragraph",
                "text": "The contract will also ripple out to smaller suppliers. Halvern buys machined fittings and fasteners from about 30 shops across the valley, and purchasing director Rohan Velasquez said the company expected to increase its spending with local vendors by about $9 million over the life of the contract.",
            },
            {
                "type": "paragraph",
                "text": "The Calder County Commission approved property tax abatements worth about $2.4 million over ten years in January, while the company's bid was still pending. The abatements are tied to hiring targets, and if the company falls short, it must repay a portion of the savings.",
            },
            {
                "type": "paragraph",
                "text": "Defense work now accounts for about 60 percent of Halvern's revenue, up from 45 percent five years ago. Halvern-Sato acknowledged that the shift leaves the company more exposed to changes in federal spending, but said a multi-year contract offered more stability than commercial aviation, where orders fell sharply during the last downturn.",
            },
            {
                "type": "paragraph",
                "text": "The company will hold a hiring fair at the plant on April 26, its first in more than a decade. Velasquez said applicants should wear sturdy shoes for a short walk along the assembly floor, past a banner above the break room that lists every aircraft type that has flown with a Halvern part, with space at the bottom already painted for one more name.",
            },
        ],
    },
    {
        "slug": "brightwater-cooperative-expands-corliss-elevator",
        "title": "Brightwater cooperative bets $19 million on faster, bigger grain storage",
        "dek": "Four new bins and a quicker truck pit at the Corliss elevator aim to end mile-long harvest lines, but members will see a smaller dividend this year.",
        "section": "economy",
        "authors": ["priya-natarajan"],
        "tags": ["agriculture", "port", "rural"],
        "access": "metered",
        "hours_ago": 251,
        "image": {
            "title": "The Corliss elevator at dusk",
            "caption": "The concrete silos of the Brightwater Grain Cooperative elevator rise above fields outside Corliss at dusk.",
            "credit": "Renata Gilchrist",
            "source_name": "Prairie Lens Collective",
            "source_url": "https://example.com/photos/corliss-elevator-dusk",
            "palette": ["#8a5a2b", "#f2cf7a"],
        },
        "body": [
            {
                "type": "paragraph",
                "text": "Brightwater Grain Cooperative, which buys and stores crops from about 1,100 farm families in the Meridian Valley, will spend $19 million on four new storage bins and a faster truck-receiving pit at its elevator outside the town of Corliss, the cooperative's board announced Friday. It is the cooperative's largest investment since the elevator opened in the 1950s.",
            },
            {
                "type": "paragraph",
                "text": "The expansion will add 2.4 million bushels of storage, raising the elevator's capacity by nearly half. Cooperative leaders called the project a bet that larger harvests, combined with improved barge service at the Port of Meridian, will keep more grain moving through the valley instead of being trucked to terminals in neighboring states.",
            },
            {
                "type": "paragraph",
                "text": "General manager Lionel Baptiste said trucks at the Corliss elevator waited an average of 95 minutes to unload during last fall's harvest, with lines at times stretching more than a mile along County Road 12. The new receiving pit is designed to empty a semitrailer in about six minutes, roughly half the current time.",
            },
            {
                "type": "quote",
                "text": "When a farmer sits in line for two hours, that is two hours the combine is not running. Speed at the elevator is money in the field.",
                "attribution": "Lionel Baptiste, general manager, Brightwater Grain Cooperative",
            },
            {
                "type": "paragraph",
                "text": "The cooperative will finance most of the project with a loan from an agricultural lender, with about $4 million coming from retained earnings. Members will not be asked for additional contributions, Baptiste said, though the board voted to reduce this year's cash patronage payout from 40 percent of earnings to 30 percent.",
            },
            {"type": "subheading", "text": "Members weigh the trade-off"},
            {
                "type": "paragraph",
                "text": "At a meeting in the Corliss high school gym on Thursday night, several members questioned the smaller payout. Ruth Ann Kowalczyk, who farms about 1,600 acres of corn and soybeans with her son, said she supported the expansion but wanted the board to commit to restoring the full payout once the loan was paid down.",
            },
            {
                "type": "paragraph",
                "text": "Others said the bottleneck had cost them more than any dividend. Delbert Ames, who raises corn near the Calder County line, said he drove past the Brightwater elevator to a competitor 40 miles away twice last fall because the line was too long, spending an extra $1,100 on fuel and hired drivers.",
            },
            {
                "type": "paragraph",
                "text": "Construction is expected to begin in June and finish before the fall harvest, though Baptiste said the receiving pit might not be ready until October. The cooperative has also applied for a state rural infrastructure grant to rebuild a half-mile stretch of County Road 12 that has crumbled under heavy truck traffic.",
            },
            {
                "type": "paragraph",
                "text": "The first of the new bins will carry the cooperative's original blue wheat emblem, which was dropped from its letterhead decades ago. The idea came from a retired member who mailed the board a faded 1962 feed-store calendar bearing the old logo, with a note insisting it read better from the highway at 60 miles an hour.",
            },
        ],
    },
    {
        "slug": "fort-aldous-airfield-prairie-restoration",
        "title": "Former Fort Aldous airfield becomes the valley's largest prairie restoration",
        "dek": "Crews are seeding 640 acres where cargo planes once landed, the first phase of a 1,900-acre preserve meant to slow stormwater and bring back grassland birds.",
        "section": "climate",
        "authors": ["samuel-brandt"],
        "tags": ["conservation", "fort aldous", "water", "flooding"],
        "access": "metered",
        "hours_ago": 302,
        "image": {
            "title": "Seeding the old runway",
            "caption": "A tractor pulls a seed drill across the broken ground of the former airfield on the southern edge of Fort Aldous.",
            "credit": "Mei-Lin Strand",
            "source_name": "Meridian Courier Photo Desk",
            "source_url": "https://example.org/photos/airfield-prairie-seeding",
            "palette": ["#5b6b3a", "#d9b86c"],
        },
        "body": [
            {
                "type": "paragraph",
                "text": "A decommissioned airfield on the southern edge of Fort Aldous is becoming the largest prairie restoration project in the Meridian Valley, with crews this month seeding native grasses and wildflowers across 640 acres where military cargo planes once landed. Seeding is expected to continue through the end of May, weather permitting.",
            },
            {
                "type": "paragraph",
                "text": "The land was transferred from the Army to Calder County three years ago, after the airfield closed and its runways were broken up. The county, working with the nonprofit Meridian Prairie Trust, plans to restore about 1,900 acres in total over the next decade, creating a public preserve with hiking trails and a research plot for Meridian Valley State University.",
            },
            {
                "type": "paragraph",
                "text": "The first phase covers the former runways and aprons, where contractors spent most of last year removing about 90,000 tons of concrete and asphalt. The crushed material was sold to road builders, which offset about a third of the $5.6 million cost of clearing the site.",
            },
            {"type": "subheading", "text": "Seeds from the valley's remnants"},
            {
                "type": "paragraph",
                "text": "The seed mix includes about 70 species, among them big bluestem, little bluestem, Indian grass, purple coneflower and leadplant, much of it gathered by volunteers from small remnant prairies in old cemeteries and railroad rights-of-way around the valley. Prairie Trust director Odessa Lindqvist said local seed gives the plants a better chance of surviving the region's particular soils and weather.",
            },
            {
                "type": "paragraph",
                "text": "Restored prairie is expected to absorb far more rainfall than the compacted ground it replaces. A county engineering study estimated that once established, the preserve could reduce peak stormwater runoff into Calder Creek by as much as 35 percent, easing flooding in the southern Port Meridian neighborhoods the creek passes through.",
            },
            {
                "type": "quote",
                "text": "People think of a prairie as something pretty to look at. The real work is happening underground, where these roots can reach eight or ten feet down.",
                "attribution": "Odessa Lindqvist, director, Meridian Prairie Trust",
            },
            {
                "type": "paragraph",
                "text": "Wildlife biologists are also watching the site. Grassland birds such as meadowlarks, bobolinks and grasshopper sparrows have declined sharply across the region as pastures have been converted to row crops, and university researchers plan to survey bird populations on the restored land every spring and summer for at least ten years.",
            },
            {
                "type": "paragraph",
                "text": "Restoration is slow work. Lindqvist cautioned that the first few years would look unimpressive, with annual weeds often dominating while the deep-rooted perennials establish themselves, and that controlled burns would be needed every few years to keep trees and invasive shrubs from taking over.",
            },
            {
                "type": "paragraph",
                "text": "The county has kept one small piece of the old airfield intact: the concrete base of the control tower, which will become an observation deck when the preserve opens to the public, likely in three years. Volunteers have already pulled a rusted runway marker from the weeds and voted to bolt it beside the deck, repainted with an arrow pointing north toward the bluestem.",
            },
        ],
    },
    {
        "slug": "tannery-row-film-festival-moves-to-bijou",
        "title": "Tannery Row Film Festival grows up and moves indoors to the Bijou",
        "dek": "The festival that began with films projected on a brick wall has signed a 25-year lease on a shuttered 1938 movie house on Fourth Avenue.",
        "section": "culture",
        "authors": ["june-halvorsen"],
        "tags": ["film", "arts funding", "downtown", "small business"],
        "access": "metered",
        "hours_ago": 368,
        "image": {
            "title": "The Bijou marquee",
            "caption": "The darkened marquee and vertical sign of the Bijou Theater on Fourth Avenue, which the festival plans to relight this fall.",
            "credit": "Caleb Northrup",
            "source_name": "Prairie Lens Collective",
            "source_url": "https://example.com/photos/bijou-marquee",
            "palette": ["#2a2038", "#e0644f"],
        },
        "body": [
            {
                "type": "paragraph",
                "text": "The Tannery Row Film Festival, which began nine years ago as a handful of short films projected onto the brick wall of a former leather works, will move into a permanent indoor home this fall after its organizers signed a long-term lease on the shuttered Bijou Theater on Fourth Avenue. Organizers announced the deal Wednesday.",
            },
            {
                "type": "paragraph",
                "text": "The nonprofit festival plans to spend about $1.7 million restoring the 1938 single-screen theater, which closed 12 years ago, and to program it year-round with independent films, repertory screenings and community events. The festival itself, held each September, drew about 9,000 attendees over four days last year.",
            },
            {
                "type": "paragraph",
                "text": "Festival director Nadia Farouk said the outdoor screenings had become a victim of their own success. Last year's closing-night crowd filled the gravel lot beside the old tannery and spilled into the street, prompting the fire marshal to close the gates with several hundred people still waiting outside.",
            },
            {
                "type": "quote",
                "text": "We loved the wall. But you cannot build a film culture on a venue that only works eight nights a year and only when it is not raining.",
                "attribution": "Nadia Farouk, director, Tannery Row Film Festival",
            },
            {"type": "subheading", "text": "Restoring the Bijou"},
            {
                "type": "paragraph",
                "text": "The Bijou's 420 seats will be reduced to about 300 to allow wider rows and accessible seating, and the theater will get a new digital projector alongside a refurbished 35-millimeter projector for archival prints. Its vertical sign, dark since the theater closed, will be rewired and relit.",
            },
            {
                "type": "paragraph",
                "text": "The building's owner, the Halloran family trust, agreed to a 25-year lease at a nominal rent in exchange for the festival covering renovation costs. The festival has raised about $1.1 million so far, including a $400,000 grant from the state arts council and a matching gift from an anonymous donor.",
            },
            {
                "type": "paragraph",
                "text": "The move has drawn some grumbling from longtime attendees who liked the informality of the outdoor screenings, where audiences brought lawn chairs and bought dinner from nearby food trucks. Farouk said the festival would keep at least one outdoor night at the tannery wall each year, weather permitting, as a nod to its origins.",
            },
            {
                "type": "paragraph",
                "text": "Neighboring businesses welcomed the news. Bettina Rourke, who owns a wine bar across Fourth Avenue from the Bijou, said the dark marquee had weighed on the block for more than a decade. She plans to extend her hours on screening nights and has already asked the festival about offering a pre-show menu.",
            },
            {
                "type": "paragraph",
                "text": "The first film shown in the restored theater will be chosen by public vote from titles that played at the Bijou in its opening year. Among the nominees is a largely forgotten 1938 musical that the festival tracked down in a private collection, whose owner agreed to lend the only known surviving print on one condition: a reserved seat in the front row, on the aisle.",
            },
        ],
    },
]

COMMENTS = [
    {
        "article": "council-passes-budget-night-bus-routes",
        "author": "Nightshift Nurse",
        "text": "Finally. I've been paying for a ride home from Eastbank General three nights a week since Route 22 was cut. A *one-year pilot* makes me nervous, but I'll take it.",
        "replies": [
            {
                "author": "R. Delgado",
                "text": "Ride it and tell your coworkers to ride it. Those quarterly numbers are going to decide whether it survives.",
            },
        ],
    },
    {
        "article": "council-passes-budget-night-bus-routes",
        "author": "Sycamore Taxpayer",
        "text": "Drawing down a vehicle replacement fund to pay an operating cost is exactly the kind of thing that bites a city in year three. I'd like to see the auditors' recommended balance in print.",
        "replies": [
            {
                "author": "Marcus Tennyfield (Courier staff)",
                "text": "Thanks for reading. We've asked the finance department for the auditors' figure and will include it in our follow-up on the pilot.",
            },
            {
                "author": "Old Wharf Dave",
                "text": "Fair point, but the buses they're replacing are already sitting in the yard most nights anyway.",
            },
        ],
    },
    {
        "article": "kessler-reservoir-early-drawdown",
        "author": "Heron Slough Regular",
        "text": "Can confirm the slough is fishing well. Please don't all come at once.",
        "replies": [
            {"author": "bankside_bill", "text": "Too late. Saw your truck out there Saturday."},
        ],
    },
    {
        "article": "kessler-reservoir-early-drawdown",
        "author": "Lower Valley Farmer",
        "text": "Good explanation of the trade-off. I'd like the authority to publish the refill curves from those six out of eight years so we can judge the risk for ourselves.",
        "replies": [],
    },
    {
        "article": "valley-symphony-names-ines-valcourt",
        "author": "Second Violin Parent",
        "text": "My daughter sat in on a youth orchestra rehearsal Valcourt led during her trial week and talked about it for days. *Great* choice.",
        "replies": [],
    },
    {
        "article": "heat-plan-libraries-cooling-centers",
        "author": "Sycamore Heights Resident",
        "text": "Nine percent tree canopy explains why my block feels like a parking lot in July. Glad the libraries will stay open, but please don't let the tree report get shelved.",
        "replies": [
            {
                "author": "Retired Arborist",
                "text": "I'd happily volunteer for a fall planting day if the city organizes one. Sycamore Heights has plenty of empty tree wells.",
            },
        ],
    },
    {
        "article": "downtown-storefront-vacancies-analysis",
        "author": "Commerce St. Walker",
        "text": "The clipboard tally at the shoe repair shop is the best detail I've read all month. Taking my boots in this weekend.",
        "replies": [
            {
                "author": "Fourth Ave Regular",
                "text": "Go on a rainy Saturday. Apparently that's when the magic happens.",
            },
        ],
    },
    {
        "article": "downtown-storefront-vacancies-analysis",
        "author": "Landlord of 30 Years",
        "text": "A vacancy fee punishes owners stuck with buildings that cost six figures to bring up to code. Fix the permitting process first.",
        "replies": [
            {
                "author": "Front Street Renter",
                "text": "Some of those owners have had a *decade* to sort it out.",
            },
        ],
    },
    {
        "article": "central-library-reopens-after-renovation",
        "author": "Book Club Barb",
        "text": "The reading room is *stunning*. Also, Mrs. Whitcombe is right about the chairs.",
        "replies": [
            {
                "author": "Tool Shelf Fan",
                "text": "I put my name on the pressure washer list the week the Eastbank pilot started. Still waiting, still hopeful.",
            },
        ],
    },
    {
        "article": "central-library-reopens-after-renovation",
        "author": "J. Amsel",
        "text": "Thirty-eight million is real money, but compared with letting a 1927 building fall apart it looks like a bargain.",
        "replies": [],
    },
    {
        "article": "mayoral-forum-housing-police-staffing",
        "author": "Undecided in Foundry Flats",
        "text": "Wish someone had asked all three what they'd do with the Ironworks site. Glad to see it's on the agenda for the next forum.",
        "replies": [],
    },
]
